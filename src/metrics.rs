//! Prometheus counters and the HTTP latency histogram, rendered as text at `/metrics`.

use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};

const BUCKETS_MS: [u64; 12] = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 10000];

#[derive(Default)]
pub struct Metrics {
    tickets_web: AtomicU64,
    tickets_email: AtomicU64,
    tickets_api: AtomicU64,
    http_buckets: [AtomicU64; BUCKETS_MS.len()],
    http_count: AtomicU64,
    http_sum_us: AtomicU64,
    http_5xx: AtomicU64,
}

impl Metrics {
    pub fn ticket_created(&self, channel: crate::domain::Channel) {
        use crate::domain::Channel::*;
        let c = match channel {
            Web => &self.tickets_web,
            Email => &self.tickets_email,
            Api => &self.tickets_api,
        };
        c.fetch_add(1, Ordering::Relaxed);
    }

    pub fn observe_http(&self, micros: u64, status: u16) {
        let ms = micros / 1000;
        for (i, b) in BUCKETS_MS.iter().enumerate() {
            if ms <= *b {
                self.http_buckets[i].fetch_add(1, Ordering::Relaxed);
            }
        }
        self.http_count.fetch_add(1, Ordering::Relaxed);
        self.http_sum_us.fetch_add(micros, Ordering::Relaxed);
        if status >= 500 {
            self.http_5xx.fetch_add(1, Ordering::Relaxed);
        }
    }

    pub fn render(&self, outbox_depth: i64) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "# HELP casebook_tickets_created_total Tickets created since start, by channel."
        );
        let _ = writeln!(s, "# TYPE casebook_tickets_created_total counter");
        for (ch, c) in [
            ("web", &self.tickets_web),
            ("email", &self.tickets_email),
            ("api", &self.tickets_api),
        ] {
            let _ = writeln!(
                s,
                "casebook_tickets_created_total{{channel=\"{ch}\"}} {}",
                c.load(Ordering::Relaxed)
            );
        }
        let _ = writeln!(
            s,
            "# HELP casebook_http_request_duration_seconds HTTP request latency."
        );
        let _ = writeln!(s, "# TYPE casebook_http_request_duration_seconds histogram");
        for (i, b) in BUCKETS_MS.iter().enumerate() {
            let _ = writeln!(
                s,
                "casebook_http_request_duration_seconds_bucket{{le=\"{}\"}} {}",
                *b as f64 / 1000.0,
                self.http_buckets[i].load(Ordering::Relaxed)
            );
        }
        let count = self.http_count.load(Ordering::Relaxed);
        let _ = writeln!(
            s,
            "casebook_http_request_duration_seconds_bucket{{le=\"+Inf\"}} {count}"
        );
        let _ = writeln!(
            s,
            "casebook_http_request_duration_seconds_sum {}",
            self.http_sum_us.load(Ordering::Relaxed) as f64 / 1e6
        );
        let _ = writeln!(s, "casebook_http_request_duration_seconds_count {count}");
        let _ = writeln!(
            s,
            "# HELP casebook_http_server_errors_total Responses with a 5xx status."
        );
        let _ = writeln!(s, "# TYPE casebook_http_server_errors_total counter");
        let _ = writeln!(
            s,
            "casebook_http_server_errors_total {}",
            self.http_5xx.load(Ordering::Relaxed)
        );
        let _ = writeln!(s, "# HELP casebook_outbox_depth Durable jobs not yet done.");
        let _ = writeln!(s, "# TYPE casebook_outbox_depth gauge");
        let _ = writeln!(s, "casebook_outbox_depth {outbox_depth}");
        s
    }
}
