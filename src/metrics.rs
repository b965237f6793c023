//! Prometheus counters and the HTTP latency histogram, rendered as text at `/metrics`, through the
//! `metrics` facade and its Prometheus exporter. Each running instance records into its own
//! recorder (never the process-wide one), so instances in one process keep their own series.

use metrics::{
    Unit, counter, describe_counter, describe_gauge, describe_histogram, gauge, histogram,
};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusRecorder};

const BUCKETS_SECONDS: [f64; 12] = [
    0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

const TICKETS: &str = "casebook_tickets_created_total";
const HTTP_DURATION: &str = "casebook_http_request_duration_seconds";
const HTTP_5XX: &str = "casebook_http_server_errors_total";
const OUTBOX_DEPTH: &str = "casebook_outbox_depth";

pub struct Metrics {
    recorder: PrometheusRecorder,
}

impl Default for Metrics {
    fn default() -> Self {
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Full(HTTP_DURATION.into()), &BUCKETS_SECONDS)
            .expect("the buckets are not empty")
            .build_recorder();
        let metrics = Metrics { recorder };
        metrics.record(|| {
            describe_counter!(TICKETS, "Tickets created since start, by channel.");
            describe_histogram!(HTTP_DURATION, Unit::Seconds, "HTTP request latency.");
            describe_counter!(HTTP_5XX, "Responses with a 5xx status.");
            describe_gauge!(OUTBOX_DEPTH, "Durable jobs not yet done.");
            // Every series exists from the start, at zero.
            for channel in crate::domain::Channel::ALL {
                counter!(TICKETS, "channel" => channel.as_str()).absolute(0);
            }
            counter!(HTTP_5XX).absolute(0);
        });
        metrics
    }
}

impl Metrics {
    fn record<T>(&self, f: impl FnOnce() -> T) -> T {
        metrics::with_local_recorder(&self.recorder, f)
    }

    pub fn ticket_created(&self, channel: crate::domain::Channel) {
        self.record(|| counter!(TICKETS, "channel" => channel.as_str()).increment(1));
    }

    pub fn observe_http(&self, micros: u64, status: u16) {
        self.record(|| {
            histogram!(HTTP_DURATION).record(micros as f64 / 1e6);
            if status >= 500 {
                counter!(HTTP_5XX).increment(1);
            }
        });
    }

    pub fn render(&self, outbox_depth: i64) -> String {
        self.record(|| gauge!(OUTBOX_DEPTH).set(outbox_depth as f64));
        self.recorder.handle().render()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_the_series_with_their_values() {
        let m = Metrics::default();
        m.ticket_created(crate::domain::Channel::Email);
        m.observe_http(3_000, 200);
        m.observe_http(40_000, 503);
        let text = m.render(7);
        for line in [
            "casebook_tickets_created_total{channel=\"email\"} 1",
            "casebook_tickets_created_total{channel=\"web\"} 0",
            "casebook_http_request_duration_seconds_bucket{le=\"0.005\"} 1",
            "casebook_http_request_duration_seconds_bucket{le=\"0.05\"} 2",
            "casebook_http_request_duration_seconds_count 2",
            "casebook_http_server_errors_total 1",
            "casebook_outbox_depth 7",
            "# TYPE casebook_http_request_duration_seconds histogram",
        ] {
            assert!(text.contains(line), "{line} in\n{text}");
        }
        // Another instance keeps its own series.
        assert!(
            Metrics::default()
                .render(0)
                .contains("casebook_tickets_created_total{channel=\"email\"} 0")
        );
    }
}
