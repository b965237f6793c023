//! `casebook import crm FILE.csv|FILE.jsonl`: streams CRM events from a file into the database in
//! batched transactions. Every row is either stored completely or rejected with its row number and
//! the reason (written to a report file); re-importing a file updates instead of duplicating,
//! through the `(source, external_id)` upsert.

use super::crm::{self, CustomerRef, NewEvent, UpsertOutcome};
use crate::db::Db;
use crate::domain::clock::Clock;
use crate::error::AppError;
use anyhow::{Context, Result, bail};
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// A CSV record longer than this is refused (an unterminated quote would otherwise swallow the
/// rest of the file into memory).
const MAX_RECORD_BYTES: usize = 1024 * 1024;

/// Columns with a meaning of their own; any other column goes into `attributes`.
const KNOWN_COLUMNS: &[&str] = &[
    "customer_id",
    "customer_email",
    "customer_external_id",
    "customer_name",
    "kind",
    "occurred_at",
    "source",
    "external_id",
    "amount",
    "currency",
    "attributes",
];
const REQUIRED_COLUMNS: &[&str] = &["kind", "occurred_at", "source", "external_id"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Jsonl,
}

impl Format {
    /// By the file name: `.csv`, or `.jsonl` / `.ndjson`.
    pub fn of(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "csv" => Some(Format::Csv),
            "jsonl" | "ndjson" => Some(Format::Jsonl),
            _ => None,
        }
    }
}

pub struct ImportOptions {
    /// Where rejected rows are written; `FILE.rejected.csv` when not given.
    pub rejected_path: Option<PathBuf>,
    /// Rows per transaction.
    pub batch_rows: usize,
    /// Print progress (rows, rows/s) to standard error about once a second.
    pub progress: bool,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            rejected_path: None,
            batch_rows: 500,
            progress: false,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportSummary {
    /// Data rows read (blank lines are not rows).
    pub rows: u64,
    /// New events stored.
    pub imported: u64,
    /// Events that already existed (same source and external id) and were updated.
    pub updated: u64,
    pub rejected: u64,
    pub rejected_path: PathBuf,
    pub elapsed: Duration,
}

impl ImportSummary {
    pub fn rows_per_sec(&self) -> f64 {
        self.rows as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

/// The default report path: `events.csv` → `events.csv.rejected.csv`.
pub fn default_rejected_path(path: &Path) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(".rejected.csv");
    PathBuf::from(s)
}

/// One record read from the file: its data row number (1 = the first data row), the line it
/// starts on, and the raw text (for the report).
struct Record {
    row: u64,
    line: u64,
    raw: String,
    parsed: Result<Value, (String, String)>,
}

/// Reads a CSV file record by record (RFC 4180: quoted fields may hold commas, doubled quotes and
/// line breaks), never holding more than one record. Strict where the `csv` crate (which writes
/// the report of rejected rows) reads leniently: a stray quote (`a"b`, `"a"b`) or a quote never
/// closed rejects that row with the reason, instead of importing a guess.
pub struct CsvReader<R> {
    inner: R,
    line: u64,
}

impl<R: BufRead> CsvReader<R> {
    pub fn new(inner: R) -> Self {
        CsvReader { inner, line: 0 }
    }

    /// The next record as (first line number, raw text, fields); `None` at the end. A record
    /// that is not UTF-8 or too long is an `Err` with the reason, and reading goes on after it.
    #[allow(clippy::type_complexity)]
    pub fn next_record(
        &mut self,
    ) -> std::io::Result<Option<(u64, String, Result<Vec<String>, String>)>> {
        let mut raw: Vec<u8> = Vec::new();
        let mut lines = 0;
        loop {
            let mut buf = Vec::new();
            let n = self.inner.read_until(b'\n', &mut buf)?;
            if n == 0 {
                if raw.is_empty() {
                    return Ok(None);
                }
                break;
            }
            self.line += 1;
            if raw.is_empty() && buf.iter().all(|b| b.is_ascii_whitespace()) {
                continue;
            }
            lines += 1;
            raw.extend_from_slice(&buf);
            let quotes = raw.iter().filter(|b| **b == b'"').count();
            if quotes % 2 == 0 || raw.len() > MAX_RECORD_BYTES {
                break;
            }
        }
        let start = self.line + 1 - lines;
        while raw.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
            raw.pop();
        }
        let text = match String::from_utf8(raw) {
            Ok(t) => t,
            Err(e) => {
                let lossy = String::from_utf8_lossy(e.as_bytes()).into_owned();
                return Ok(Some((start, lossy, Err("is not valid UTF-8".into()))));
            }
        };
        let text = text
            .strip_prefix('\u{feff}')
            .map(str::to_string)
            .unwrap_or(text);
        if text.len() > MAX_RECORD_BYTES {
            return Ok(Some((
                start,
                text.chars().take(200).collect(),
                Err("is too long, or has a quote that is never closed".into()),
            )));
        }
        let fields = split_csv(&text);
        Ok(Some((start, text, fields)))
    }
}

/// Splits one CSV record into fields.
pub fn split_csv(text: &str) -> Result<Vec<String>, String> {
    let mut fields = Vec::new();
    let mut cur = String::new();
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    let mut at_start = true;
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    cur.push('"');
                }
                '"' => {
                    quoted = false;
                    match chars.peek() {
                        None | Some(',') => {}
                        Some(_) => return Err("has text after a closing quote".into()),
                    }
                }
                _ => cur.push(c),
            }
        } else {
            match c {
                ',' => {
                    fields.push(std::mem::take(&mut cur));
                    at_start = true;
                    continue;
                }
                '"' if at_start => quoted = true,
                '"' => return Err("has a quote inside an unquoted field".into()),
                _ => cur.push(c),
            }
        }
        at_start = false;
    }
    if quoted {
        return Err("has a quote that is never closed".into());
    }
    fields.push(cur);
    Ok(fields)
}

/// Turns a CSV row into the API's event object: empty cells are absent, an `attributes` column
/// holds a JSON object, and every other unknown column becomes an attribute.
pub fn csv_row_to_event(header: &[String], fields: &[String]) -> Result<Value, (String, String)> {
    if fields.len() != header.len() {
        return Err((
            "row".into(),
            format!(
                "has {} fields where the header has {}",
                fields.len(),
                header.len()
            ),
        ));
    }
    let mut obj = Map::new();
    let mut attributes = Map::new();
    for (name, value) in header.iter().zip(fields) {
        let value = value.trim();
        if value.is_empty() {
            continue;
        }
        match name.as_str() {
            "attributes" => match serde_json::from_str::<Value>(value) {
                Ok(Value::Object(m)) => {
                    for (k, v) in m {
                        attributes.entry(k).or_insert(v);
                    }
                }
                _ => {
                    return Err((
                        "attributes".into(),
                        "must be a JSON object such as {\"plan\": \"pro\"}".into(),
                    ));
                }
            },
            "customer_id" => {
                let id = value.parse::<i64>().map_err(|_| {
                    (
                        "customer_id".to_string(),
                        "must be a positive integer".to_string(),
                    )
                })?;
                obj.insert(name.clone(), Value::from(id));
            }
            known if KNOWN_COLUMNS.contains(&known) => {
                obj.insert(name.clone(), Value::String(value.to_string()));
            }
            other => {
                attributes.insert(other.to_string(), Value::String(value.to_string()));
            }
        }
    }
    if !attributes.is_empty() {
        obj.insert("attributes".into(), Value::Object(attributes));
    }
    Ok(Value::Object(obj))
}

fn check_header(header: &[String]) -> Result<()> {
    for required in REQUIRED_COLUMNS {
        if !header.iter().any(|h| h == required) {
            bail!(
                "the CSV header has no `{required}` column (needed: {})",
                REQUIRED_COLUMNS.join(", ")
            );
        }
    }
    if !header
        .iter()
        .any(|h| h.starts_with("customer_") && h != "customer_name")
    {
        bail!("the CSV header needs a customer_email, customer_external_id or customer_id column");
    }
    for (i, h) in header.iter().enumerate() {
        if h.is_empty() {
            bail!("column {} of the CSV header has no name", i + 1);
        }
        if header[..i].contains(h) {
            bail!("the CSV header names `{h}` twice");
        }
    }
    Ok(())
}

/// The import itself: one pass over the file, `batch_rows` rows per transaction.
#[tracing::instrument(skip_all, fields(path = %path.display()))]
pub async fn import_file(
    db: &Db,
    path: &Path,
    opts: &ImportOptions,
    clock: &dyn Clock,
) -> Result<ImportSummary> {
    let format = Format::of(path)
        .with_context(|| format!("{}: the file must end in .csv or .jsonl", path.display()))?;
    let file = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let reader = BufReader::with_capacity(256 * 1024, file);
    let rejected_path = opts
        .rejected_path
        .clone()
        .unwrap_or_else(|| default_rejected_path(path));
    let report = std::fs::File::create(&rejected_path)
        .with_context(|| format!("creating {}", rejected_path.display()))?;
    let mut report = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(BufWriter::new(report));
    report.write_record(["row", "line", "field", "reason", "record"])?;
    let mut importer = Importer {
        db,
        clock,
        report: &mut report,
        summary: ImportSummary {
            rejected_path: rejected_path.clone(),
            ..Default::default()
        },
        batch: Vec::with_capacity(opts.batch_rows),
        batch_rows: opts.batch_rows.max(1),
        started: Instant::now(),
        last_progress: Instant::now(),
        progress: opts.progress,
        customers: HashMap::new(),
    };
    match format {
        Format::Csv => {
            let mut csv = CsvReader::new(reader);
            let header = match csv.next_record()? {
                None => bail!("{} is empty", path.display()),
                Some((_, _, Err(reason))) => bail!("the CSV header {reason}"),
                Some((_, _, Ok(h))) => h
                    .into_iter()
                    .map(|c| c.trim().to_ascii_lowercase())
                    .collect::<Vec<_>>(),
            };
            check_header(&header)?;
            let mut row = 0;
            while let Some((line, raw, fields)) = csv.next_record()? {
                row += 1;
                let parsed = fields
                    .map_err(|reason| ("row".to_string(), reason))
                    .and_then(|f| csv_row_to_event(&header, &f));
                importer
                    .push(Record {
                        row,
                        line,
                        raw,
                        parsed,
                    })
                    .await?;
            }
        }
        Format::Jsonl => {
            let mut lines = reader.split(b'\n');
            let (mut row, mut line) = (0, 0);
            while let Some(bytes) = lines.next().transpose()? {
                line += 1;
                let text = String::from_utf8_lossy(&bytes);
                let text = text.trim_start_matches('\u{feff}').trim();
                if text.is_empty() {
                    continue;
                }
                row += 1;
                let parsed = std::str::from_utf8(&bytes)
                    .map_err(|_| ("row".to_string(), "is not valid UTF-8".to_string()))
                    .and_then(|_| {
                        serde_json::from_str::<Value>(text)
                            .map_err(|e| ("row".to_string(), format!("is not valid JSON ({e})")))
                    });
                importer
                    .push(Record {
                        row,
                        line,
                        raw: text.to_string(),
                        parsed,
                    })
                    .await?;
            }
        }
    }
    importer.flush().await?;
    importer.summary.elapsed = importer.started.elapsed();
    if importer.progress {
        eprintln!();
    }
    let summary = importer.summary;
    report.flush()?;
    Ok(summary)
}

struct Importer<'a, W: Write> {
    db: &'a Db,
    clock: &'a dyn Clock,
    report: &'a mut csv::Writer<W>,
    summary: ImportSummary,
    batch: Vec<(Record, NewEvent)>,
    batch_rows: usize,
    started: Instant,
    last_progress: Instant,
    progress: bool,
    /// Customer identity (`email:…`, `external:…`) → customer id, for rows already stored.
    customers: HashMap<String, i64>,
}

/// The importer remembers this many customers (a few MB) so repeated rows skip the lookup.
const MAX_CACHED_CUSTOMERS: usize = 200_000;

/// The cache key of the customer an event names by identity (ids are not cached: they may
/// have been merged away).
fn customer_key(ev: &NewEvent) -> Option<String> {
    match &ev.customer {
        Some(CustomerRef::Email { email, .. }) => Some(format!("email:{}", email.as_str())),
        Some(CustomerRef::External { value, .. }) => Some(format!("external:{value}")),
        _ => None,
    }
}

impl<W: Write> Importer<'_, W> {
    async fn push(&mut self, mut rec: Record) -> Result<()> {
        self.summary.rows += 1;
        let parsed = std::mem::replace(&mut rec.parsed, Ok(Value::Null)).and_then(|v| {
            crm::parse_event(&v, "").map_err(|e| match e {
                AppError::Validation { field, message } => (field, message),
                other => ("row".into(), other.to_string()),
            })
        });
        match parsed {
            Ok(ev) => self.batch.push((rec, ev)),
            Err((field, reason)) => self.reject(&rec, &field, &reason)?,
        }
        if self.batch.len() >= self.batch_rows {
            self.flush().await?;
        }
        if self.progress && self.last_progress.elapsed() >= Duration::from_secs(1) {
            self.last_progress = Instant::now();
            let secs = self.started.elapsed().as_secs_f64();
            eprint!(
                "\r{} rows · {:.0} rows/s · {} imported · {} updated · {} rejected ",
                self.summary.rows,
                self.summary.rows as f64 / secs.max(1e-9),
                self.summary.imported,
                self.summary.updated,
                self.summary.rejected
            );
        }
        Ok(())
    }

    fn reject(&mut self, rec: &Record, field: &str, reason: &str) -> Result<()> {
        self.summary.rejected += 1;
        self.report.write_record([
            rec.row.to_string().as_str(),
            rec.line.to_string().as_str(),
            field,
            reason,
            &rec.raw,
        ])?;
        Ok(())
    }

    /// Stores the batch in one transaction. A row the database refuses (e.g. an unknown
    /// customer id) is rejected alone: the batch is rolled back and its rows are stored one by
    /// one, so every row is either fully stored or rejected.
    async fn flush(&mut self) -> Result<()> {
        if self.batch.is_empty() {
            return Ok(());
        }
        let batch = std::mem::take(&mut self.batch);
        let now = self.clock.now_ms();
        let mut tx = self.db.begin().await?;
        let mut out = UpsertOutcome::default();
        let mut failed = false;
        // Customers found or created in this transaction; cached only once it commits.
        let mut seen: Vec<(String, i64)> = Vec::new();
        for (_, ev) in &batch {
            let key = customer_key(ev);
            let cached = key.as_ref().and_then(|k| self.customers.get(k).copied());
            let stored = async {
                let cid = match cached {
                    Some(c) => c,
                    None => {
                        let c = crm::resolve_customer(&mut tx, ev, None, now, &|n| n.to_string())
                            .await?;
                        if let Some(k) = &key {
                            seen.push((k.clone(), c));
                        }
                        c
                    }
                };
                crm::upsert_one(&mut tx, cid, ev, now).await
            }
            .await;
            match stored {
                Ok(true) => out.created += 1,
                Ok(false) => out.updated += 1,
                Err(_) => {
                    failed = true;
                    break;
                }
            }
        }
        if !failed {
            tx.commit().await?;
            self.summary.imported += out.created;
            self.summary.updated += out.updated;
            if self.customers.len() + seen.len() > MAX_CACHED_CUSTOMERS {
                self.customers.clear();
            }
            self.customers.extend(seen);
            return Ok(());
        }
        tx.rollback().await?;
        for (rec, ev) in &batch {
            let mut tx = self.db.begin().await?;
            match crm::upsert_events_in(&mut tx, std::slice::from_ref(ev), None, false, now).await {
                Ok(o) => {
                    tx.commit().await?;
                    self.summary.imported += o.created;
                    self.summary.updated += o.updated;
                }
                Err(AppError::Internal(e)) => {
                    tx.rollback().await?;
                    return Err(e.context(format!("row {}", rec.row)));
                }
                Err(e @ AppError::Unavailable { .. }) => {
                    // Not the row's fault: stop, and the import can be run again.
                    let _ = tx.rollback().await;
                    return Err(anyhow::anyhow!("{e}").context(format!("row {}", rec.row)));
                }
                Err(e) => {
                    tx.rollback().await?;
                    let (field, reason) = match e {
                        AppError::Validation { field, message } => (field, message),
                        other => ("row".into(), other.to_string()),
                    };
                    self.reject(rec, &field, &reason)?;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn csv_fields_split_like_rfc_4180() {
        for (text, want) in [
            ("a,b,c", Ok(s(&["a", "b", "c"]))),
            ("a,,c,", Ok(s(&["a", "", "c", ""]))),
            ("\"x, y\",z", Ok(s(&["x, y", "z"]))),
            ("\"say \"\"hi\"\"\",2", Ok(s(&["say \"hi\"", "2"]))),
            ("\"two\nlines\",1", Ok(s(&["two\nlines", "1"]))),
            ("", Ok(s(&[""]))),
            (
                "\"open,1",
                Err("has a quote that is never closed".to_string()),
            ),
            (
                "\"a\"b,1",
                Err("has text after a closing quote".to_string()),
            ),
            (
                "a\"b,1",
                Err("has a quote inside an unquoted field".to_string()),
            ),
        ] {
            assert_eq!(split_csv(text), want, "{text:?}");
        }
    }

    #[test]
    fn csv_records_span_lines_and_number_rows() {
        let data = "\u{feff}h1,h2\r\n1,\"multi\nline\"\n\n3,x\n4,y";
        let mut r = CsvReader::new(data.as_bytes());
        let (line, raw, f) = r.next_record().unwrap().unwrap();
        assert_eq!(
            (line, raw.as_str(), f.unwrap()),
            (1, "h1,h2", s(&["h1", "h2"]))
        );
        let (line, _, f) = r.next_record().unwrap().unwrap();
        assert_eq!((line, f.unwrap()), (2, s(&["1", "multi\nline"])));
        let (line, _, f) = r.next_record().unwrap().unwrap();
        assert_eq!((line, f.unwrap()), (5, s(&["3", "x"])));
        let (line, _, f) = r.next_record().unwrap().unwrap();
        assert_eq!((line, f.unwrap()), (6, s(&["4", "y"])));
        assert!(r.next_record().unwrap().is_none());
        let mut bad = CsvReader::new(&b"a,b\n1,\xff\xfe\n"[..]);
        bad.next_record().unwrap();
        let (_, _, f) = bad.next_record().unwrap().unwrap();
        assert_eq!(f, Err("is not valid UTF-8".to_string()));
    }

    #[test]
    fn csv_rows_become_api_events() {
        let header = s(&[
            "customer_email",
            "kind",
            "occurred_at",
            "source",
            "external_id",
            "amount",
            "currency",
            "plan",
            "attributes",
        ]);
        let row = s(&[
            "a@example.com",
            "order",
            "2024-01-02T03:04:05Z",
            "shop",
            "o-1",
            "",
            "",
            "pro",
            "{\"items\": 2, \"plan\": \"ignored\"}",
        ]);
        let v = csv_row_to_event(&header, &row).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"customer_email": "a@example.com", "kind": "order",
                "occurred_at": "2024-01-02T03:04:05Z", "source": "shop", "external_id": "o-1",
                "attributes": {"plan": "pro", "items": 2}})
        );
        assert!(crm::parse_event(&v, "").is_ok());
        assert_eq!(
            csv_row_to_event(&header, &row[..3]).unwrap_err().0,
            "row".to_string()
        );
        let mut bad = row.clone();
        bad[8] = "[1]".into();
        assert_eq!(csv_row_to_event(&header, &bad).unwrap_err().0, "attributes");
    }

    #[test]
    fn headers_are_checked_before_any_row() {
        assert!(
            check_header(&s(&[
                "customer_email",
                "kind",
                "occurred_at",
                "source",
                "external_id"
            ]))
            .is_ok()
        );
        for (h, needle) in [
            (
                s(&["customer_email", "kind", "source", "external_id"]),
                "occurred_at",
            ),
            (
                s(&["kind", "occurred_at", "source", "external_id"]),
                "customer_email",
            ),
            (
                s(&[
                    "customer_email",
                    "kind",
                    "occurred_at",
                    "source",
                    "external_id",
                    "kind",
                ]),
                "twice",
            ),
        ] {
            let e = check_header(&h).unwrap_err().to_string();
            assert!(e.contains(needle), "{e}");
        }
    }

    #[test]
    fn formats_and_report_paths() {
        assert_eq!(Format::of(Path::new("x/e.CSV")), Some(Format::Csv));
        assert_eq!(Format::of(Path::new("e.ndjson")), Some(Format::Jsonl));
        assert_eq!(Format::of(Path::new("e.xlsx")), None);
        assert_eq!(
            default_rejected_path(Path::new("/tmp/e.csv")),
            PathBuf::from("/tmp/e.csv.rejected.csv")
        );
    }
}
