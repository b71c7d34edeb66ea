//! The compact layout of a co-occurrence head's partner lists, about 2.5 bytes a link
//! instead of 12 (a 10,000-item EASE table fits in well under 1 MB):
//!
//! - `partnerGap`: each item's partner indices, ascending, as LEB128 varints (the first one
//!   itself, then the difference to the previous one);
//! - `partnerQ`: one signed byte per link, `partnerExp` one signed byte per item, and a
//!   link's score is exactly `q · 2^exp`.
//!
//! The writer uses it only when it is lossless (every list ascending, every score on its
//! item's grid, which `snap` puts it on); otherwise it writes `partner`/`partnerScore` as
//! plain blobs. Either way the bundle decodes to the same `Cooccur`.

use super::R;
use crate::model::runtime::DecodeError;
use crate::model::Cooccur;

/// The largest |q|.
const Q_MAX: f64 = 127.0;

fn bad(what: &str) -> DecodeError {
    DecodeError::Invalid(format!("cooccur partners: {what}"))
}

/// The exponent of the grid that holds scores up to `max` (> 0) with 7 significant bits:
/// the smallest `e` with `max ≤ 127 · 2^e`.
fn exponent(max: f64) -> i32 {
    let mut e = (max / Q_MAX).log2().ceil() as i32;
    e = e.clamp(-126, 126);
    while e < 126 && max > Q_MAX * 2f64.powi(e) {
        e += 1;
    }
    while e > -126 && max <= Q_MAX * 2f64.powi(e - 1) {
        e -= 1;
    }
    e
}

/// The grid exponent of one item's scores: that of their largest |score|, or `None` when
/// there is none to place (no scores, all 0, or not finite).
fn row_exponent(scores: &[f64]) -> Option<i32> {
    let max = scores.iter().fold(0.0f64, |m, s| m.max(s.abs()));
    (max > 0.0 && max.is_finite()).then(|| exponent(max))
}

/// Rounds one item's scores onto its grid (8 bits each with a shared exponent), so that the
/// writer can ship them in the compact layout. Scores that round to 0 stay (as 0).
pub fn snap(scores: &mut [f64]) {
    let Some(e) = row_exponent(scores) else {
        return;
    };
    let step = 2f64.powi(e);
    for s in scores {
        *s = (*s / step).round() * step;
    }
}

/// A head's partner lists in the compact layout: `(gaps, q, exp)`.
pub(super) type Packed = (Vec<u8>, Vec<u8>, Vec<u8>);

/// The compact layout, if every list is ascending and every score on its item's grid.
pub(super) fn pack(c: &Cooccur) -> Option<Packed> {
    let (mut gaps, mut q, mut exps) = (Vec::new(), Vec::new(), Vec::new());
    for w in c.partner_start.windows(2) {
        let (a, b) = (w[0] as usize, w[1] as usize);
        let (ids, scores) = (c.partner.get(a..b)?, c.partner_score.get(a..b)?);
        let e = row_exponent(scores).unwrap_or(0);
        let step = 2f64.powi(e);
        let mut last: Option<u32> = None;
        for (&id, &s) in ids.iter().zip(scores) {
            let v = s / step;
            if v.fract() != 0.0 || v.abs() > Q_MAX || last.is_some_and(|l| id <= l) {
                return None;
            }
            varint(&mut gaps, id - last.unwrap_or(0));
            q.push(v as i8 as u8);
            last = Some(id);
        }
        exps.push(e as i8 as u8);
    }
    Some((gaps, q, exps))
}

fn varint(out: &mut Vec<u8>, mut v: u32) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// The partner indices and scores from the compact layout, checked against `start`.
pub(super) fn unpack(start: &[u32], gaps: &[u8], q: &[u8], exps: &[u8]) -> R<(Vec<u32>, Vec<f64>)> {
    if exps.len() + 1 != start.len() {
        return Err(bad("partnerExp needs one exponent per item"));
    }
    if start.last().map_or(0, |&n| n as usize) != q.len() {
        return Err(bad("partnerQ needs one byte per link"));
    }
    let (mut ids, mut scores) = (Vec::with_capacity(q.len()), Vec::with_capacity(q.len()));
    let mut at = 0;
    for (w, &e) in start.windows(2).zip(exps) {
        let (a, b) = (w[0] as usize, w[1] as usize);
        let links = q
            .get(a..b)
            .ok_or_else(|| bad("partnerStart is not ascending"))?;
        let step = 2f64.powi(i32::from(e as i8));
        let mut id: Option<u32> = None;
        for &qb in links {
            let mut v: u32 = 0;
            let mut shift = 0;
            loop {
                let byte = *gaps.get(at).ok_or_else(|| bad("partnerGap is too short"))?;
                at += 1;
                if shift == 28 && byte > 0x0f {
                    return Err(bad("partnerGap has a varint over 32 bits"));
                }
                v |= u32::from(byte & 0x7f) << shift;
                shift += 7;
                if byte < 0x80 {
                    break;
                }
            }
            let next = match id {
                None => v,
                Some(_) if v == 0 => return Err(bad("partnerGap lists a partner twice")),
                Some(p) => p
                    .checked_add(v)
                    .ok_or_else(|| bad("partnerGap overflows"))?,
            };
            ids.push(next);
            scores.push(f64::from(qb as i8) * step);
            id = Some(next);
        }
    }
    if at != gaps.len() {
        return Err(bad("partnerGap has bytes left over"));
    }
    Ok((ids, scores))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(start: Vec<u32>, partner: Vec<u32>, score: Vec<f64>) -> Cooccur {
        Cooccur {
            partner_start: start,
            partner,
            partner_score: score,
            ..Cooccur::default()
        }
    }

    #[test]
    fn snapped_scores_pack_and_unpack_exactly() {
        let mut s = vec![0.731, -0.052, 0.0004, 3.0e-9];
        snap(&mut s);
        let mut t = vec![250.0, 1.0];
        snap(&mut t);
        assert_eq!(t, [250.0, 2.0]); // step 2: 127·2 ≥ 250 > 127
        let c = head(
            vec![0, 4, 4, 6],
            vec![1, 2, 300, 70_000, 0, 1],
            [s, t].concat(),
        );
        let (gaps, q, e) = pack(&c).unwrap();
        assert_eq!(gaps.len(), 1 + 1 + 2 + 3 + 1 + 1); // 70,000 − 300 takes three bytes
        let (ids, scores) = unpack(&c.partner_start, &gaps, &q, &e).unwrap();
        assert_eq!((ids, scores), (c.partner.clone(), c.partner_score.clone()));
        // Within half a step of the original: 0.731 is the row's largest.
        assert!((c.partner_score[0] - 0.731).abs() <= 0.731 / 127.0);
    }

    #[test]
    fn off_grid_or_unsorted_lists_stay_plain() {
        assert!(pack(&head(vec![0, 2], vec![1, 2], vec![0.3, 0.1])).is_none());
        let mut s = vec![0.3, 0.1];
        snap(&mut s);
        assert!(pack(&head(vec![0, 2], vec![2, 1], s.clone())).is_none());
        assert!(pack(&head(vec![0, 2], vec![1, 2], s)).is_some());
    }

    #[test]
    fn malformed_layouts_are_errors() {
        let start = [0u32, 2];
        let ok = unpack(&start, &[1, 1], &[5, 6], &[0]).unwrap();
        assert_eq!(ok, (vec![1, 2], vec![5.0, 6.0]));
        for (gaps, q, e, what) in [
            (
                &[1u8, 1][..],
                &[5u8, 6][..],
                &[][..],
                "one exponent per item",
            ),
            (&[1, 1], &[5], &[0], "one byte per link"),
            (&[1], &[5, 6], &[0], "too short"),
            (&[1, 1, 1], &[5, 6], &[0], "left over"),
            (&[1, 0], &[5, 6], &[0], "twice"),
            (
                &[0xff, 0xff, 0xff, 0xff, 0x7f, 1],
                &[5, 6],
                &[0],
                "over 32 bits",
            ),
            (
                &[0xff, 0xff, 0xff, 0xff, 0x0f, 1],
                &[5, 6],
                &[0],
                "overflows",
            ),
        ] {
            let e = unpack(&start, gaps, q, e).unwrap_err().to_string();
            assert!(e.contains(what), "{e}");
        }
        let e = unpack(&[0, 2, 1], &[1], &[5], &[0, 0]).unwrap_err();
        assert!(e.to_string().contains("not ascending"), "{e}");
    }

    /// The writer puts version 2 only on bundles that use the compact layout, and both read
    /// back to the same bundle.
    #[test]
    fn only_compact_bundles_carry_version_2() {
        use crate::model::{decode, Bundle, Head, HeadKind};
        let version = |bytes: &[u8]| {
            let at = bytes.windows(7).position(|w| w == b"\xa6format").unwrap();
            bytes[at + 7]
        };
        let bundle = |c: Cooccur| Bundle {
            id: "b".into(),
            version: "1".into(),
            heads: vec![Head {
                name: "co".into(),
                kind: HeadKind::Cooccur(c),
            }],
            ..Bundle::default()
        };
        let mut c = Cooccur {
            items: vec!["a".into(), "b".into(), "c".into()],
            popularity: vec![0.5, 0.25, 0.25],
            category: vec![u32::MAX; 3],
            partner_start: vec![0, 2, 3, 4],
            partner: vec![1, 2, 0, 0],
            partner_score: vec![0.3, 0.1, 0.7, 0.2],
            ..Cooccur::default()
        };
        let plain = super::super::encode(&bundle(c.clone()));
        assert_eq!(version(&plain), 1);
        for (a, b) in [(0, 2), (2, 3), (3, 4)] {
            snap(&mut c.partner_score[a..b]);
        }
        let compact = super::super::encode(&bundle(c.clone()));
        assert_eq!(version(&compact), 2);
        assert!(compact.len() < plain.len());
        let m = decode(&compact).unwrap();
        let HeadKind::Cooccur(back) = &m.bundle().heads[0].kind else {
            panic!("not a cooccur head")
        };
        assert_eq!(
            (&back.partner, &back.partner_score),
            (&c.partner, &c.partner_score)
        );
    }
}
