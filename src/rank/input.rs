//! Reading the page's arguments to ranking calls (`rank: …` errors name the field).

use super::choice::PaymentMethod;
use super::cross_sell::CrossSellRequest;
use super::offer::Offer;
use super::MAX_CROSS_SELLS;

/// A bad argument to a ranking call. Messages are stable: `rank: …`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RankError(pub String);

impl std::fmt::Display for RankError {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        write!(f, "rank: {}", self.0)
    }
}

impl std::error::Error for RankError {}

/// Most payment methods or candidates accepted in one call.
pub const MAX_INPUT: usize = 500;

fn id_of(v: &crate::value::Value, at: &str) -> Result<String, RankError> {
    use crate::value::Value;
    match v {
        Value::Str(s) if !s.is_empty() && s.len() <= 200 => Ok(s.clone()),
        Value::Num(n) if n.fract() == 0.0 && n.abs() < 1e15 => Ok((*n as i64).to_string()),
        _ => Err(RankError(format!("{at} must be a non-empty string"))),
    }
}

/// The optional `type` of a listed option: a short string.
fn kind_of(v: &crate::value::Value, at: &str) -> Result<Option<String>, RankError> {
    match v.field("type") {
        None => Ok(None),
        Some(crate::value::Value::Str(t)) if t.len() <= 100 => Ok(Some(t.clone())),
        Some(_) => Err(RankError(format!("{at} must be a string"))),
    }
}

impl PaymentMethod {
    /// Reads the page's list: `[{id, type?}, …]` (other fields ignored) or `["card", …]`.
    pub fn list_from_value(v: &crate::value::Value) -> Result<Vec<PaymentMethod>, RankError> {
        use crate::value::Value;
        let Value::List(items) = v else {
            return Err(RankError("methods must be an array".into()));
        };
        if items.len() > MAX_INPUT {
            return Err(RankError(format!("more than {MAX_INPUT} methods")));
        }
        items
            .iter()
            .enumerate()
            .map(|(i, m)| match m {
                Value::Map(_) => Ok(PaymentMethod {
                    id: id_of(
                        m.field("id").unwrap_or(&Value::Null),
                        &format!("methods[{i}].id"),
                    )?,
                    kind: kind_of(m, &format!("methods[{i}].type"))?,
                }),
                other => Ok(PaymentMethod {
                    id: id_of(other, &format!("methods[{i}]"))?,
                    kind: None,
                }),
            })
            .collect()
    }
}

impl CrossSellRequest {
    /// Reads `{items?, limit?, candidates?}`; `items` and `candidates` are arrays of ids
    /// or of `{item_id}` / `{id}` objects.
    pub fn from_value(v: &crate::value::Value) -> Result<CrossSellRequest, RankError> {
        use crate::value::Value;
        let ids = |key: &str| -> Result<Option<Vec<String>>, RankError> {
            match v.field(key) {
                None => Ok(None),
                Some(Value::List(l)) if l.len() <= MAX_INPUT => l
                    .iter()
                    .enumerate()
                    .map(|(i, x)| {
                        let at = format!("{key}[{i}]");
                        match x {
                            Value::Map(_) => id_of(
                                x.field("item_id").or(x.field("id")).unwrap_or(&Value::Null),
                                &format!("{at}.item_id"),
                            ),
                            other => id_of(other, &at),
                        }
                    })
                    .collect::<Result<Vec<_>, _>>()
                    .map(Some),
                Some(_) => Err(RankError(format!(
                    "{key} must be an array of at most {MAX_INPUT} ids"
                ))),
            }
        };
        match v {
            Value::Null => return Ok(CrossSellRequest::default()),
            Value::Map(_) => {}
            _ => return Err(RankError("the request must be an object".into())),
        }
        let limit = match v.field("limit") {
            None => None,
            Some(Value::Num(n))
                if n.fract() == 0.0 && *n >= 0.0 && *n <= MAX_CROSS_SELLS as f64 =>
            {
                Some(*n as usize)
            }
            Some(_) => {
                return Err(RankError(format!(
                    "limit must be a whole number from 0 to {MAX_CROSS_SELLS}"
                )))
            }
        };
        Ok(CrossSellRequest {
            items: ids("items")?,
            limit,
            candidates: ids("candidates")?,
        })
    }
}

impl Offer {
    /// Reads the page's list: `[{id, type?, cost?, percent?}, …]`.
    pub fn list_from_value(v: &crate::value::Value) -> Result<Vec<Offer>, RankError> {
        use crate::value::Value;
        let Value::List(items) = v else {
            return Err(RankError("offers must be an array".into()));
        };
        if items.len() > MAX_INPUT {
            return Err(RankError(format!("more than {MAX_INPUT} offers")));
        }
        items
            .iter()
            .enumerate()
            .map(|(i, o)| {
                let num = |k: &str| match o.field(k) {
                    None => Ok(None),
                    Some(Value::Num(n)) if n.is_finite() && *n >= 0.0 => Ok(Some(*n)),
                    Some(_) => Err(RankError(format!(
                        "offers[{i}].{k} must be a non-negative number"
                    ))),
                };
                Ok(Offer {
                    id: id_of(
                        o.field("id").unwrap_or(&Value::Null),
                        &format!("offers[{i}].id"),
                    )?,
                    kind: kind_of(o, &format!("offers[{i}].type"))?,
                    cost: num("cost")?,
                    percent: num("percent")?,
                })
            })
            .collect()
    }
}
