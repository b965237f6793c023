//! SQL assembled at run time: fixed fragments of text, and values bound as numbered parameters.
//!
//! Every query here is written with `$N` placeholders, which both backends accept through the
//! `Any` driver. `sqlx::QueryBuilder<Any>` cannot be used for this: `AnyArguments` keeps the
//! default `Arguments::format_placeholder`, which writes `?`, and PostgreSQL rejects `?`
//! ("syntax error at end of input"). [`Sql`] numbers its placeholders itself.
//!
//! Two ways of writing, which can be mixed: append to the builder's own text ([`Sql::push`],
//! [`Sql::push_param`], ...), or take the placeholder of a bound value as a string
//! ([`Sql::param`], [`Sql::params`], [`Sql::tuples`]) and compose the text with `format!` —
//! which also lets one placeholder appear twice, and one set of values serve several texts
//! ([`Sql::query_text`]).

use sqlx::any::{AnyArguments, AnyRow};
use sqlx::query::{Query, QueryAs, QueryScalar};
use sqlx::{Any, AssertSqlSafe, FromRow};

/// A value bound to a parameter.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Int(Option<i64>),
    Float(Option<f64>),
    Text(Option<String>),
}

impl From<i64> for Value {
    fn from(v: i64) -> Value {
        Value::Int(Some(v))
    }
}

impl From<Option<i64>> for Value {
    fn from(v: Option<i64>) -> Value {
        Value::Int(v)
    }
}

impl From<f64> for Value {
    fn from(v: f64) -> Value {
        Value::Float(Some(v))
    }
}

impl From<String> for Value {
    fn from(v: String) -> Value {
        Value::Text(Some(v))
    }
}

impl From<&str> for Value {
    fn from(v: &str) -> Value {
        Value::Text(Some(v.to_string()))
    }
}

impl From<&String> for Value {
    fn from(v: &String) -> Value {
        Value::Text(Some(v.clone()))
    }
}

impl From<Option<String>> for Value {
    fn from(v: Option<String>) -> Value {
        Value::Text(v)
    }
}

/// Binds `values` in order to any of sqlx's query kinds (they share no trait for `bind`).
macro_rules! bind_all {
    ($q:expr, $values:expr) => {{
        let mut q = $q;
        for v in $values {
            q = match v {
                Value::Int(i) => q.bind(*i),
                Value::Float(f) => q.bind(*f),
                Value::Text(s) => q.bind(s.clone()),
            };
        }
        q
    }};
}

/// SQL text and the values of its `$1..$n` parameters.
#[derive(Debug, Clone, Default)]
pub struct Sql {
    text: String,
    values: Vec<Value>,
}

impl Sql {
    /// A builder whose text starts with `text`.
    pub fn new(text: impl Into<String>) -> Sql {
        Sql {
            text: text.into(),
            values: Vec::new(),
        }
    }

    /// A builder with `values` bound to `$1..$n`, for text that writes those placeholders
    /// itself; placeholders taken afterwards continue the numbering.
    pub fn with_values<V: Into<Value>>(values: impl IntoIterator<Item = V>) -> Sql {
        Sql {
            text: String::new(),
            values: values.into_iter().map(Into::into).collect(),
        }
    }

    /// The text so far.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// How many values are bound; the next placeholder is `$` this plus one.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Binds `value` and returns its placeholder (`$3`), for text composed elsewhere.
    pub fn param(&mut self, value: impl Into<Value>) -> String {
        self.values.push(value.into());
        format!("${}", self.values.len())
    }

    /// Binds each value and returns their placeholders separated by commas (`$3, $4, $5`).
    pub fn params<V: Into<Value>>(&mut self, values: impl IntoIterator<Item = V>) -> String {
        values
            .into_iter()
            .map(|v| self.param(v))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Binds the rows of a multi-row `VALUES` list and returns its placeholders, numbered row by
    /// row: `($1, $2), ($3, $4)` for two rows of two.
    pub fn tuples<R, V>(&mut self, rows: impl IntoIterator<Item = R>) -> String
    where
        R: IntoIterator<Item = V>,
        V: Into<Value>,
    {
        rows.into_iter()
            .map(|row| format!("({})", self.params(row)))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Appends fixed SQL text (never a value: values are bound).
    pub fn push(&mut self, text: &str) -> &mut Sql {
        self.text.push_str(text);
        self
    }

    /// Appends the placeholder of a bound value.
    pub fn push_param(&mut self, value: impl Into<Value>) -> &mut Sql {
        let p = self.param(value);
        self.text.push_str(&p);
        self
    }

    /// Appends the placeholders of bound values, separated by commas.
    pub fn push_params<V: Into<Value>>(&mut self, values: impl IntoIterator<Item = V>) -> &mut Sql {
        let p = self.params(values);
        self.text.push_str(&p);
        self
    }

    /// Appends a multi-row `VALUES` list of bound values (see [`Sql::tuples`]).
    pub fn push_tuples<R, V>(&mut self, rows: impl IntoIterator<Item = R>) -> &mut Sql
    where
        R: IntoIterator<Item = V>,
        V: Into<Value>,
    {
        let p = self.tuples(rows);
        self.text.push_str(&p);
        self
    }

    /// The builder's text as a query with the values bound.
    pub fn query(&self) -> Query<'static, Any, AnyArguments> {
        self.query_text(self.text.clone())
    }

    /// `text` (composed with this builder's placeholders) as a query with the values bound.
    pub fn query_text(&self, text: String) -> Query<'static, Any, AnyArguments> {
        bind_all!(sqlx::query(AssertSqlSafe(text)), &self.values)
    }

    /// The builder's text as a query of rows mapped to `O`, with the values bound.
    pub fn query_as<O>(&self) -> QueryAs<'static, Any, O, AnyArguments>
    where
        O: for<'r> FromRow<'r, AnyRow>,
    {
        bind_all!(
            sqlx::query_as(AssertSqlSafe(self.text.clone())),
            &self.values
        )
    }

    /// The builder's text as a query of one column, with the values bound.
    pub fn query_scalar<O>(&self) -> QueryScalar<'static, Any, O, AnyArguments>
    where
        (O,): for<'r> FromRow<'r, AnyRow>,
    {
        self.query_scalar_text(self.text.clone())
    }

    /// `text` as a query of one column, with this builder's values bound.
    pub fn query_scalar_text<O>(&self, text: String) -> QueryScalar<'static, Any, O, AnyArguments>
    where
        (O,): for<'r> FromRow<'r, AnyRow>,
    {
        bind_all!(sqlx::query_scalar(AssertSqlSafe(text)), &self.values)
    }

    /// The bound values, in placeholder order.
    pub fn values(&self) -> &[Value] {
        &self.values
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_in_binding_order() {
        let mut sql = Sql::new("SELECT * FROM ticket WHERE status = ");
        sql.push_param("open")
            .push(" AND team_id IN (")
            .push_params([3_i64, 4])
            .push(")");
        let limit = sql.param(50_i64);
        assert_eq!(
            sql.text(),
            "SELECT * FROM ticket WHERE status = $1 AND team_id IN ($2, $3)"
        );
        assert_eq!(limit, "$4");
        assert_eq!(
            sql.values(),
            [
                Value::from("open"),
                Value::from(3_i64),
                Value::from(4_i64),
                Value::from(50_i64)
            ]
        );
    }

    #[test]
    fn tuples_number_row_by_row() {
        let mut sql = Sql::default();
        assert_eq!(
            sql.tuples([[1_i64, 2, 3], [4, 5, 6]]),
            "($1, $2, $3), ($4, $5, $6)"
        );
        assert_eq!(sql.tuples([[7_i64]]), "($7)");
        assert_eq!(sql.tuples(Vec::<[i64; 3]>::new()), "");
        assert_eq!(sql.len(), 7);
    }

    /// Why this builder exists: sqlx's own builder writes `?` through the `Any` driver, which
    /// PostgreSQL does not accept.
    #[test]
    fn sqlx_query_builder_writes_question_marks_for_any() {
        let mut qb = sqlx::QueryBuilder::<Any>::new("SELECT 1 WHERE 1 = ");
        qb.push_bind(1_i64);
        assert_eq!(qb.sql().as_str(), "SELECT 1 WHERE 1 = ?");
    }
}
