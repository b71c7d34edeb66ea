//! `personalizer`: turns models trained elsewhere and real purchase baskets into the
//! compact `.cpm` bundle the browser scores, and inspects and scores bundles natively.

use checkout_personalizer::model::{self, Head, HeadKind};
use clap::{Parser, Subcommand};
use personalizer_cli::{
    cooccur, err, lightgbm, read_json, read_text, sklearn, spec, xgboost, Result,
};
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "personalizer",
    version,
    about = "Build, inspect and score checkout-personalizer model bundles (.cpm)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
// Parsed once per run: the size of the largest variant costs nothing.
#[allow(clippy::large_enum_variant)]
enum Command {
    /// Import a model trained elsewhere as a one-head bundle.
    Import {
        #[command(subcommand)]
        from: ImportFrom,
    },
    /// Build a frequently-bought-together bundle from baskets (one per line, comma-separated
    /// item ids) or from pre-aggregated pair and item counts.
    Cooccur {
        /// Baskets CSV (not with --pairs/--items).
        baskets: Option<PathBuf>,
        #[arg(short, long)]
        output: PathBuf,
        /// Keep pairs seen in at least N baskets.
        #[arg(long, default_value_t = 2)]
        min_support: u64,
        /// Partners kept per item.
        #[arg(long, default_value_t = 20)]
        top_k: usize,
        /// confidence, lift, cosine or npmi.
        #[arg(long, default_value = "confidence")]
        score: String,
        /// Shrinks rare pairs: score × n_ab / (n_ab + SHRINK).
        #[arg(long, default_value_t = 5.0)]
        shrink: f64,
        /// Item catalogue CSV with a header; first column = item id.
        #[arg(long)]
        catalog: Option<PathBuf>,
        #[arg(long, default_value = "category")]
        category_column: String,
        #[arg(long, default_value = "name")]
        name_column: String,
        /// Pre-aggregated `item_a,item_b,count` table.
        #[arg(long, requires = "items")]
        pairs: Option<PathBuf>,
        /// Pre-aggregated `item,count` table.
        #[arg(long, requires = "pairs")]
        items: Option<PathBuf>,
        /// Number of baskets behind --pairs/--items.
        #[arg(long = "basket-count")]
        basket_count: Option<u64>,
        #[arg(long, default_value = "cooccur")]
        head: String,
        #[arg(long, default_value = "cooccur")]
        id: String,
        #[command(flatten)]
        learn: ModelArgs,
    },
    /// Build a bundle from a TOML spec: features, heads, rules, segments, experiments.
    Build {
        spec: PathBuf,
        #[arg(short, long)]
        output: PathBuf,
    },
    /// Make an ECDSA P-256 key pair: writes the private key to OUTPUT, prints the public key
    /// (the page's `publicKey` option).
    Keygen {
        #[arg(short, long)]
        output: PathBuf,
    },
    /// Sign a bundle with a private key from `keygen`; the browser then checks it with
    /// WebCrypto before use.
    Sign {
        file: PathBuf,
        #[arg(long)]
        key: PathBuf,
        /// Where to write the signed bundle (default: FILE with `.signed.cpm`).
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// Cross-sells for carts (one per line, comma-separated item ids): one line of
    /// recommended ids per cart, exactly as the browser ranks them (for offline evaluation).
    Recommend {
        file: PathBuf,
        #[arg(long)]
        carts: PathBuf,
        #[arg(long, default_value_t = 10)]
        limit: usize,
    },
    /// A/B report from exported events (JSON Lines from `exportEvents`, resent batches
    /// counted once): per arm, exposed shoppers, conversion rate with the relative lift, its
    /// 95 % CI and p-value, revenue per shopper and AOV with Welch tests, and a
    /// sample-ratio-mismatch check.
    AbReport {
        events: PathBuf,
        /// The bundle the experiment ran with: the split is checked against its weights
        /// (otherwise against equal weights).
        #[arg(long)]
        bundle: Option<PathBuf>,
        /// Leave out shoppers exposed to more than one arm (default: their first arm).
        #[arg(long)]
        exclude_multiple: bool,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Rebuild the co-occurrence head and a payment-method model from exported events
    /// (JSON Lines from `exportEvents`).
    Train {
        events: PathBuf,
        #[arg(short, long)]
        output: PathBuf,
        #[arg(long, default_value_t = 2)]
        min_support: u64,
        #[arg(long, default_value_t = 20)]
        top_k: usize,
        #[command(flatten)]
        learn: ModelArgs,
        /// The payment head's L2 penalty (choose it on a validation split).
        #[arg(long, default_value_t = 1e-4)]
        payment_l2: f64,
        /// `logit` (in the CLI) or `lightgbm` (LightGBM's lambdarank on the same choice
        /// sets, through the Python package; its trees are shipped).
        #[arg(long, default_value = "logit")]
        payment_learner: String,
    },
    /// Replay each shopper's exported events into the module with BUNDLE and rank the
    /// payment methods of each query line (`{user, methods, ts?, country?, device?, os?,
    /// browser?, value?, currency?}`):
    /// one comma-separated ranking per line, as the checkout would show it.
    RankPayments {
        file: PathBuf,
        #[arg(long)]
        events: PathBuf,
        #[arg(long)]
        queries: PathBuf,
        /// The browser's options as JSON, e.g. '{"retentionDays":365}'.
        #[arg(long, default_value = "{}")]
        options: String,
    },
    /// Check a signed bundle against a public key.
    Verify {
        file: PathBuf,
        #[arg(long)]
        public_key: String,
    },
    /// Print what a bundle holds (after the same validation the browser does).
    Inspect { file: PathBuf },
    /// Score rows of a features CSV (empty cell = missing): one prediction per line.
    Predict {
        file: PathBuf,
        #[arg(long)]
        head: String,
        #[arg(long)]
        csv: PathBuf,
        /// Print margins instead of probabilities.
        #[arg(long)]
        raw: bool,
    },
}

#[derive(Subcommand)]
enum ImportFrom {
    /// XGBoost 3.x JSON (Booster.save_model("m.json")).
    Xgboost(ImportArgs),
    /// LightGBM 4.x JSON (json.dump(booster.dump_model(), f)).
    Lightgbm(ImportArgs),
    /// A scikit-learn linear model exported as {"coef", "intercept", "link"}.
    SklearnLinear(ImportArgs),
}

#[derive(clap::Args)]
struct ImportArgs {
    input: PathBuf,
    #[arg(short, long)]
    output: PathBuf,
    /// Name of the head in the bundle.
    #[arg(long, default_value = "model")]
    head: String,
    #[arg(long, default_value = "imported")]
    id: String,
    /// Expire the bundle this many days after creation.
    #[arg(long)]
    expires_days: Option<f64>,
}

fn write(path: &PathBuf, bytes: &[u8]) -> Result<()> {
    std::fs::write(path, bytes).map_err(|e| err(format!("{}: {e}", path.display())))?;
    eprintln!("wrote {} ({} bytes)", path.display(), bytes.len());
    Ok(())
}

fn import(from: ImportFrom) -> Result<()> {
    let (a, kind, names) = match from {
        ImportFrom::Xgboost(a) => {
            let m = xgboost::import(&read_json(&a.input)?)?;
            eprintln!("xgboost {}: {} trees", m.objective, m.trees.roots.len());
            (a, HeadKind::Trees(m.trees), m.feature_names)
        }
        ImportFrom::Lightgbm(a) => {
            let m = lightgbm::import(&read_json(&a.input)?)?;
            eprintln!("lightgbm {}: {} trees", m.objective, m.trees.roots.len());
            (a, HeadKind::Trees(m.trees), m.feature_names)
        }
        ImportFrom::SklearnLinear(a) => {
            let m = sklearn::import(&read_json(&a.input)?)?;
            (a, HeadKind::Linear(m.linear), m.feature_names)
        }
    };
    if !names.is_empty() {
        eprintln!("features: {}", names.join(", "));
    }
    let bundle = personalizer_cli::single_head(
        &a.id,
        Head {
            name: a.head.clone(),
            kind,
        },
        a.expires_days,
    );
    write(&a.output, &personalizer_cli::encode_checked(&bundle)?)
}

/// How the item-to-item table is learned (`cooccur` and `train`).
#[derive(clap::Args, Debug)]
struct ModelArgs {
    /// `cooccur` (an association measure, --score) or `ease` (learned weights for the top
    /// --max-items items; the others keep the association measure).
    #[arg(long, default_value = "cooccur")]
    model: String,
    /// EASE's L2 penalty, or `auto`: chosen on one basket in ten held out.
    #[arg(long, default_value = "auto")]
    lambda: String,
    /// EASE inverts a (max-items)² matrix: 10,000 items took 17 s and 2.7 GB here
    /// (eval/ease_scale.py).
    #[arg(long, default_value_t = 10_000)]
    max_items: usize,
}

/// The baskets `--lambda auto` holds some of out, read only when it is asked for.
type Baskets<'a> = Option<&'a dyn Fn() -> Result<Vec<Vec<String>>>>;

/// The EASE options of `a` (none for `--model cooccur`), with `auto` resolved on `baskets`.
fn ease_options(
    a: &ModelArgs,
    top_k: usize,
    baskets: Baskets,
) -> Result<Option<personalizer_cli::ease::Options>> {
    use personalizer_cli::ease;
    match a.model.as_str() {
        "cooccur" => return Ok(None),
        "ease" => {}
        m => return Err(err(format!("unknown model \"{m}\" (cooccur, ease)"))),
    }
    let mut o = ease::Options {
        lambda: 0.0,
        max_items: a.max_items,
        top_k,
    };
    o.lambda = match (a.lambda.as_str(), baskets) {
        ("auto", Some(baskets)) => {
            let (lambda, tried) = ease::choose_lambda(&baskets()?, &o)?;
            for (l, hr) in tried {
                eprintln!("ease: lambda {l:.3}: validation HR@5 {hr:.4}");
            }
            eprintln!("ease: lambda {lambda:.3} chosen");
            lambda
        }
        ("auto", None) => {
            return Err(err(
                "ease: --lambda auto needs baskets to hold out; give --lambda L with --pairs",
            ))
        }
        (l, _) => l.parse().map_err(|_| {
            err(format!(
                "ease: --lambda must be a number or auto, not \"{l}\""
            ))
        })?,
    };
    Ok(Some(o))
}

fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Import { from } => import(from),
        Command::Cooccur {
            baskets,
            output,
            min_support,
            top_k,
            score,
            shrink,
            catalog,
            category_column,
            name_column,
            pairs,
            items,
            basket_count,
            head,
            id,
            learn,
        } => {
            let mut text = None;
            let counts = match (baskets, pairs, items) {
                (Some(b), None, None) => {
                    let t = text.insert(read_text(&b)?);
                    cooccur::Counts::from_csv(t)
                }
                (None, Some(p), Some(i)) => cooccur::counts_from_tables(
                    &read_text(&p)?,
                    &read_text(&i)?,
                    basket_count.ok_or_else(|| err("--pairs/--items need --basket-count N"))?,
                )?,
                _ => return Err(err("give either BASKETS.csv or --pairs and --items")),
            };
            // Held-out baskets for `--lambda auto`: only the baskets file has them.
            let from_text: &dyn Fn() -> Result<Vec<Vec<String>>> = &|| {
                Ok(personalizer_cli::ease::baskets_from_csv(
                    text.as_deref().unwrap_or(""),
                ))
            };
            let catalog = match catalog {
                Some(c) => cooccur::read_catalog(&read_text(&c)?, &category_column, &name_column)?,
                None => cooccur::Catalog::default(),
            };
            let o = cooccur::Options {
                min_support,
                top_k,
                score: cooccur::Score::parse(&score)?,
                shrink,
                ease: ease_options(&learn, top_k, text.is_some().then_some(from_text))?,
            };
            let c = cooccur::build(&counts, &catalog, &o)?;
            eprintln!(
                "{} baskets, {} items, {} partner links",
                counts.baskets,
                c.items.len(),
                c.partner.len()
            );
            let mut bundle = personalizer_cli::single_head(
                &id,
                Head {
                    name: head.clone(),
                    kind: HeadKind::Cooccur(c),
                },
                None,
            );
            bundle.cross_sell = Some(model::Surface {
                cooccur: Some(head),
                ..model::Surface::default()
            });
            write(&output, &personalizer_cli::encode_checked(&bundle)?)
        }
        Command::Build { spec: path, output } => {
            let dir = path.parent().map(PathBuf::from).unwrap_or_default();
            let bundle = spec::build(&read_text(&path)?, &dir, personalizer_cli::created_ms())?;
            write(&output, &personalizer_cli::encode_checked(&bundle)?)
        }
        Command::Keygen { output } => {
            if output.exists() {
                return Err(err(format!(
                    "{} exists: refusing to overwrite a key",
                    output.display()
                )));
            }
            let kp = personalizer_cli::sign::keygen();
            write(&output, kp.private.as_bytes())?;
            println!("{}", kp.public);
            Ok(())
        }
        Command::Sign { file, key, output } => {
            let sk = personalizer_cli::sign::read_private(&read_text(&key)?)?;
            let bytes =
                std::fs::read(&file).map_err(|e| err(format!("{}: {e}", file.display())))?;
            let (signed, public) = personalizer_cli::sign::sign(&bytes, &sk)?;
            let out = output.unwrap_or_else(|| file.with_extension("signed.cpm"));
            write(&out, &signed)?;
            eprintln!("public key: {public}");
            Ok(())
        }
        Command::Verify { file, public_key } => {
            let bytes =
                std::fs::read(&file).map_err(|e| err(format!("{}: {e}", file.display())))?;
            personalizer_cli::sign::verify(&bytes, &public_key)?;
            println!("signature ok");
            Ok(())
        }
        Command::Recommend { file, carts, limit } => {
            use checkout_personalizer::rank::CrossSellRequest;
            use checkout_personalizer::{MemoryStore, Options, Tracker};
            let bytes =
                std::fs::read(&file).map_err(|e| err(format!("{}: {e}", file.display())))?;
            let mut t = Tracker::for_replay(MemoryStore::new(), &Options::default(), 1, 0);
            t.load_model(&bytes).map_err(|e| err(e.to_string()))?;
            let now = personalizer_cli::created_ms();
            let mut out = String::new();
            for line in read_text(&carts)?.lines() {
                let items: Vec<String> = line
                    .split(',')
                    .map(|s| s.trim().to_owned())
                    .filter(|s| !s.is_empty())
                    .collect();
                let req = CrossSellRequest {
                    items: Some(items),
                    limit: Some(limit),
                    candidates: None,
                };
                let r = t.rank_cross_sells(&req, now);
                let ids: Vec<&str> = r.items.iter().map(|i| i.id.as_str()).collect();
                out.push_str(&ids.join(","));
                out.push('\n');
            }
            print!("{out}");
            Ok(())
        }
        Command::Train {
            events,
            output,
            min_support,
            top_k,
            learn,
            payment_l2,
            payment_learner,
        } => {
            let po = personalizer_cli::train::PaymentOptions {
                l2: payment_l2,
                lightgbm: match payment_learner.as_str() {
                    "logit" => false,
                    "lightgbm" => true,
                    other => {
                        return Err(err(format!(
                            "train: --payment-learner is logit or lightgbm, not \"{other}\""
                        )))
                    }
                },
            };
            let text = read_text(&events)?;
            let baskets = || personalizer_cli::train::baskets(&text);
            let o = cooccur::Options {
                min_support,
                top_k,
                ease: ease_options(&learn, top_k, Some(&baskets))?,
                ..cooccur::Options::default()
            };
            let t = personalizer_cli::train::train_with(
                &text,
                &o,
                &po,
                personalizer_cli::created_ms(),
            )?;
            eprintln!(
                "{} purchases, {} baskets, {} payment choices ({} with the list the shopper was offered, {} over every method seen)",
                t.purchases,
                t.baskets,
                t.choices,
                t.with_offers,
                t.choices - t.with_offers
            );
            if let Some(f) = t.payment_fit {
                eprintln!(
                    "payment habit scales: last method ×{}, history ×{} (top-1 of held-out shoppers {:.4}, {:.4} unscaled)",
                    f.last_scale, f.history_scale, f.held_out_top1, f.held_out_top1_unscaled
                );
            }
            write(&output, &personalizer_cli::encode_checked(&t.bundle)?)
        }
        Command::RankPayments {
            file,
            events,
            queries,
            options,
        } => {
            let options = match serde_json::from_str(&options) {
                Ok(checkout_personalizer::Value::Map(entries)) => {
                    checkout_personalizer::Options::from_entries(&entries)
                        .map_err(|e| err(format!("options: {}", e.0)))?
                }
                _ => return Err(err("options: must be a JSON object")),
            };
            let rankings = personalizer_cli::replay::rank_payments(
                &std::fs::read(&file).map_err(|e| err(format!("{}: {e}", file.display())))?,
                &read_text(&events)?,
                &read_text(&queries)?,
                &options,
            )?;
            let mut out = String::new();
            for r in rankings {
                out += &r.join(",");
                out.push('\n');
            }
            print!("{out}");
            Ok(())
        }
        Command::AbReport {
            events,
            bundle,
            exclude_multiple,
            json,
        } => {
            let mut options = personalizer_cli::abreport::Options {
                exclude_multiple,
                ..Default::default()
            };
            if let Some(path) = bundle {
                let bytes =
                    std::fs::read(&path).map_err(|e| err(format!("{}: {e}", path.display())))?;
                let m = model::decode(&bytes).map_err(|e| err(e.to_string()))?;
                for e in &m.bundle().experiments {
                    // Explicit ranges replace the weights (GrowthBook's `ranges`).
                    let w = match &e.ranges {
                        Some(r) => r.iter().map(|(a, b)| b - a).collect(),
                        None => e.arms.iter().map(|a| a.weight).collect(),
                    };
                    options.weights.insert(e.key.clone(), w);
                }
            }
            let r = personalizer_cli::abreport::report(&read_text(&events)?, &options)?;
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&r).map_err(|e| err(e.to_string()))?
                );
            } else {
                print!("{}", personalizer_cli::abreport::to_text(&r));
            }
            Ok(())
        }
        Command::Inspect { file } => {
            let bytes =
                std::fs::read(&file).map_err(|e| err(format!("{}: {e}", file.display())))?;
            let m = model::decode(&bytes).map_err(|e| err(e.to_string()))?;
            print!("{}", personalizer_cli::describe(&m));
            Ok(())
        }
        Command::Predict {
            file,
            head,
            csv,
            raw,
        } => {
            let bytes =
                std::fs::read(&file).map_err(|e| err(format!("{}: {e}", file.display())))?;
            let m = model::decode(&bytes).map_err(|e| err(e.to_string()))?;
            let rows = personalizer_cli::read_feature_rows(&read_text(&csv)?)?;
            let mut out = String::new();
            for (i, row) in rows.iter().enumerate() {
                let p = if raw {
                    m.predict_raw(&head, row)
                } else {
                    m.predict(&head, row)
                }
                .map_err(|e| err(format!("row {}: {e}", i + 1)))?;
                let cells: Vec<String> = p.iter().map(f64::to_string).collect();
                out.push_str(&cells.join(","));
                out.push('\n');
            }
            print!("{out}");
            Ok(())
        }
    }
}

fn main() {
    if let Err(e) = run(Cli::parse()) {
        eprintln!("personalizer: {e}");
        std::process::exit(1);
    }
}
