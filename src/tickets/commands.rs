//! The one door for ticket writes. Every change to a `ticket` row and every new message goes
//! through an [`Edit`]: it locks the ticket, checks the version the caller saw, applies the
//! commands (status, priority, assignee, team, subject, tags, messages, customer moves…), writes
//! their audit events, and on [`Edit::save`] bumps the version and `updated_at`, writes one change
//! event, recomputes the SLA clocks and queues the search document — all in the caller's
//! transaction. Report facts follow through the database triggers on the same rows.
//!
//! No other module writes `UPDATE ticket`; a test checks the source tree for it.

use super::{Actor, EventRecord};
use crate::db::Tx;
use crate::domain::clock::Millis;
use crate::domain::{Priority, Status, Visibility};
use crate::error::{AppError, AppResult};
use crate::i18n::Note;
use crate::outbox;
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::Row;

/// Which version of the ticket the caller's change was made against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// Whatever is current (system work, and API callers that send no `If-Match`).
    Any,
    /// Exactly this version; anything else is [`AppError::Stale`].
    Version(i64),
}

/// One field's change, as stored in a change event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct FieldChange {
    pub field: String,
    pub old: Option<String>,
    pub new: Option<String>,
}

/// The ticket's writable state as locked at the start of an edit, kept current as commands run.
#[derive(Debug, Clone)]
pub struct Current {
    pub status: Status,
    pub priority: Priority,
    pub assignee_id: Option<i64>,
    pub team_id: Option<i64>,
    pub subject: String,
    pub customer_id: i64,
    pub first_response_at: Option<Millis>,
    pub version: i64,
}

/// A message to add to the ticket (an agent's reply or note, a customer's message, an automatic
/// acknowledgement, a bounce kept as a note).
#[derive(Debug, Clone, Default)]
pub struct NewMessage<'a> {
    /// `agent`, `customer` or `system`.
    pub author_kind: &'a str,
    pub agent_id: Option<i64>,
    pub customer_id: Option<i64>,
    pub visibility: Option<Visibility>,
    pub body_text: &'a str,
    pub body_html: Option<&'a str>,
    pub full_text: Option<&'a str>,
    pub email_message_id: Option<&'a str>,
    pub thread_reason: Option<&'a str>,
    /// How the message found its ticket, in each reader's language (stored with its English,
    /// which takes the place of `thread_reason`).
    pub thread_reason_note: Option<&'a crate::i18n::Note>,
    pub mail_kind: Option<&'a str>,
    pub raw_email_id: Option<i64>,
    pub attachments: &'a [super::NewAttachment],
    /// The channel the message came through or goes out on (`email`, `web`, `api`, `sms`, …).
    pub channel: Option<&'a str>,
    /// The connected gateway it came through or goes out on, and the gateway's id for it.
    pub channel_gateway_id: Option<i64>,
    pub external_id: Option<&'a str>,
}

/// The actor of an edit, owned so the edit can outlive the caller's borrow.
#[derive(Debug, Clone, Copy)]
struct By {
    kind: &'static str,
    agent_id: Option<i64>,
}

impl From<Actor<'_>> for By {
    fn from(a: Actor<'_>) -> By {
        match a {
            Actor::Agent(a) => By {
                kind: "agent",
                agent_id: Some(a.id),
            },
            Actor::Customer => By {
                kind: "customer",
                agent_id: None,
            },
            Actor::System => By {
                kind: "system",
                agent_id: None,
            },
        }
    }
}

/// A ticket opened for writing. Commands change it; [`Edit::save`] finishes the change.
#[derive(Debug)]
#[must_use = "an edit does nothing until it is saved"]
pub struct Edit {
    pub ticket_id: i64,
    pub current: Current,
    by: By,
    now: Millis,
    kind: Option<&'static str>,
    fields: Vec<FieldChange>,
    /// Whether saving queues the search document (see [`Edit::index_later`]).
    index: bool,
}

/// What [`Edit::save`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Saved {
    /// The ticket's version after the edit (unchanged when nothing changed).
    pub version: i64,
    pub changed: bool,
}

/// Creates a ticket (from the one intake path) and opens it for the first message.
pub async fn create(tx: &mut Tx, t: &NewTicket<'_>, now: Millis) -> AppResult<Edit> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO ticket (subject, status, priority, channel, customer_id, follow_up_of_id, created_at, updated_at, version, reply_token)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7, 1, $8) RETURNING ticket_id",
    )
    .bind(t.subject)
    .bind(Status::New.as_str())
    .bind(t.priority.as_str())
    .bind(t.channel)
    .bind(t.customer_id)
    .bind(t.follow_up_of_id)
    .bind(now)
    .bind(crate::email::new_reply_secret())
    .fetch_one(&mut **tx)
    .await?;
    let detail = t.follow_up_of_id.map(|f| format!("follow-up of #{f}"));
    let mut edit = Edit {
        ticket_id: id,
        current: Current {
            status: Status::New,
            priority: t.priority,
            assignee_id: None,
            team_id: None,
            subject: t.subject.to_string(),
            customer_id: t.customer_id,
            first_response_at: None,
            version: 0,
        },
        by: By::from(Actor::Customer),
        now,
        kind: None,
        fields: Vec::new(),
        index: true,
    };
    edit.audit(tx, "created", None, Some(t.channel), detail.as_deref())
        .await?;
    edit.changed("created", "ticket", None, Some(id.to_string()));
    Ok(edit)
}

/// A new ticket's row.
#[derive(Debug, Clone)]
pub struct NewTicket<'a> {
    pub subject: &'a str,
    pub priority: Priority,
    pub channel: &'a str,
    pub customer_id: i64,
    pub follow_up_of_id: Option<i64>,
}

/// Locks ticket `ticket_id` for writing (its row on PostgreSQL; SQLite's writer turn already
/// serialises) and checks that it is still at the version the caller saw.
pub async fn open(
    tx: &mut Tx,
    ticket_id: i64,
    actor: Actor<'_>,
    expect: Expect,
    now: Millis,
) -> AppResult<Edit> {
    let lock = tx.backend().for_no_key_update();
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT status, priority, assignee_id, team_id, subject, customer_id, first_response_at, version
         FROM ticket WHERE ticket_id = $1 {lock}"
    )))
    .bind(ticket_id)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(AppError::NotFound("ticket"))?;
    let parse = |col: &str| -> AppResult<String> { Ok(row.try_get::<String, _>(col)?) };
    let current = Current {
        status: parse("status")?
            .parse()
            .map_err(|e: String| AppError::Internal(anyhow::anyhow!(e)))?,
        priority: parse("priority")?
            .parse()
            .map_err(|e: String| AppError::Internal(anyhow::anyhow!(e)))?,
        assignee_id: row.try_get("assignee_id")?,
        team_id: row.try_get("team_id")?,
        subject: parse("subject")?,
        customer_id: row.try_get("customer_id")?,
        first_response_at: row.try_get("first_response_at")?,
        version: row.try_get("version")?,
    };
    if let Expect::Version(v) = expect
        && v != current.version
    {
        return Err(AppError::Stale {
            current_version: current.version,
        });
    }
    Ok(Edit {
        ticket_id,
        current,
        by: By::from(actor),
        now,
        kind: None,
        fields: Vec::new(),
        index: true,
    })
}

/// Writes one entry of a ticket's audit log. Used by the commands below, and on its own for
/// entries that change nothing on the ticket (a suppressed acknowledgement, a failed delivery).
pub async fn record_event(
    tx: &mut Tx,
    actor: Actor<'_>,
    ev: EventRecord<'_>,
    now: Millis,
) -> AppResult<()> {
    insert_event(tx, By::from(actor), &ev, now).await
}

async fn insert_event(tx: &mut Tx, by: By, ev: &EventRecord<'_>, now: Millis) -> AppResult<()> {
    sqlx::query(
        "INSERT INTO ticket_event (ticket_id, actor_kind, agent_id, kind, old_value, new_value, detail, detail_note, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(ev.ticket_id)
    .bind(by.kind)
    .bind(by.agent_id)
    .bind(ev.kind)
    .bind(ev.old)
    .bind(ev.new)
    .bind(ev.detail)
    .bind(ev.note.map(Note::to_json))
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

impl Edit {
    pub fn now(&self) -> Millis {
        self.now
    }

    /// Leaves the search document to a job that runs after this edit and indexes the ticket
    /// anyway (a new ticket's `ticket.created` job, once routing and assignment are done), so
    /// the same document is not built twice.
    pub fn index_later(&mut self) {
        self.index = false;
    }

    /// Whether any command changed the ticket so far.
    pub fn is_changed(&self) -> bool {
        self.kind.is_some()
    }

    /// The fields changed so far.
    pub fn changes(&self) -> &[FieldChange] {
        &self.fields
    }

    fn changed(
        &mut self,
        kind: &'static str,
        field: &str,
        old: Option<String>,
        new: Option<String>,
    ) {
        self.kind = match self.kind {
            None => Some(kind),
            Some(k) if k == kind => Some(k),
            Some("created") => Some("created"),
            Some(_) => Some("updated"),
        };
        self.fields.push(FieldChange {
            field: field.to_string(),
            old,
            new,
        });
    }

    /// An audit-log entry by this edit's actor.
    pub async fn audit(
        &self,
        tx: &mut Tx,
        kind: &str,
        old: Option<&str>,
        new: Option<&str>,
        detail: Option<&str>,
    ) -> AppResult<()> {
        insert_event(
            tx,
            self.by,
            &EventRecord {
                ticket_id: self.ticket_id,
                kind,
                old,
                new,
                detail,
                note: None,
            },
            self.now,
        )
        .await
    }

    /// An audit-log entry that is itself a change of the ticket (an escalation): it bumps the
    /// version like any other command.
    pub async fn record(&mut self, tx: &mut Tx, kind: &'static str, detail: &str) -> AppResult<()> {
        self.audit(tx, kind, None, None, Some(detail)).await?;
        self.changed(kind, kind, None, Some(detail.to_string()));
        Ok(())
    }

    /// Moves the ticket to `to` (checking the lifecycle), stamping solved/closed times.
    pub async fn set_status(
        &mut self,
        tx: &mut Tx,
        to: Status,
        detail: Option<&str>,
    ) -> AppResult<()> {
        let from = self.current.status;
        if from == to {
            return Ok(());
        }
        if !from.can_move_to(to) {
            return Err(AppError::field(
                "status",
                t!(
                    "error-status-change",
                    from = crate::i18n::status_name(from.as_str()),
                    to = crate::i18n::status_name(to.as_str())
                ),
            ));
        }
        sqlx::query(
            "UPDATE ticket SET status = $1,
                solved_at = CASE WHEN $1 = 'solved' THEN $2 WHEN $1 IN ('open','pending','new') THEN NULL ELSE solved_at END,
                closed_at = CASE WHEN $1 = 'closed' THEN $2 ELSE closed_at END
             WHERE ticket_id = $3",
        )
        .bind(to.as_str())
        .bind(self.now)
        .bind(self.ticket_id)
        .execute(&mut **tx)
        .await?;
        self.audit(tx, "status", Some(from.as_str()), Some(to.as_str()), detail)
            .await?;
        self.current.status = to;
        self.changed(
            "status",
            "status",
            Some(from.as_str().into()),
            Some(to.as_str().into()),
        );
        if to == Status::Solved {
            outbox::enqueue(
                tx,
                &outbox::Job::TicketSolved {
                    ticket_id: self.ticket_id,
                },
                self.now,
            )
            .await?;
        }
        crate::assign::on_status_change(tx, self.ticket_id, from, to, self.now).await?;
        Ok(())
    }

    /// Closes the ticket as merged into `into` (no solve: no rating request, no solved clock).
    pub async fn close_as_merged(&mut self, tx: &mut Tx, into: i64) -> AppResult<()> {
        let from = self.current.status;
        sqlx::query(
            "UPDATE ticket SET status = 'closed', closed_at = $1, merged_into_id = $2 WHERE ticket_id = $3",
        )
        .bind(self.now)
        .bind(into)
        .bind(self.ticket_id)
        .execute(&mut **tx)
        .await?;
        let target = format!("#{into}");
        self.audit(tx, "merged_into", None, Some(&target), None)
            .await?;
        self.current.status = Status::Closed;
        self.changed(
            "status",
            "status",
            Some(from.as_str().into()),
            Some(Status::Closed.as_str().into()),
        );
        self.changed("merged", "merged_into_id", None, Some(into.to_string()));
        crate::assign::on_status_change(tx, self.ticket_id, from, Status::Closed, self.now).await
    }

    /// Undoes [`Edit::close_as_merged`]: the ticket is no longer merged and gets back `status`.
    pub async fn unmerge(&mut self, tx: &mut Tx, status: Status) -> AppResult<()> {
        let from = self.current.status;
        sqlx::query(
            "UPDATE ticket SET status = $1, merged_into_id = NULL,
                closed_at = CASE WHEN $1 = 'closed' THEN closed_at ELSE NULL END
             WHERE ticket_id = $2",
        )
        .bind(status.as_str())
        .bind(self.ticket_id)
        .execute(&mut **tx)
        .await?;
        self.audit(tx, "merge_undone", None, None, None).await?;
        self.current.status = status;
        self.changed(
            "status",
            "status",
            Some(from.as_str().into()),
            Some(status.as_str().into()),
        );
        self.changed("merged", "merged_into_id", Some(String::new()), None);
        crate::assign::on_status_change(tx, self.ticket_id, from, status, self.now).await
    }

    pub async fn set_priority(
        &mut self,
        tx: &mut Tx,
        to: Priority,
        detail: Option<&str>,
    ) -> AppResult<()> {
        let from = self.current.priority;
        if from == to {
            return Ok(());
        }
        sqlx::query("UPDATE ticket SET priority = $1 WHERE ticket_id = $2")
            .bind(to.as_str())
            .bind(self.ticket_id)
            .execute(&mut **tx)
            .await?;
        self.audit(
            tx,
            "priority",
            Some(from.as_str()),
            Some(to.as_str()),
            detail,
        )
        .await?;
        self.current.priority = to;
        self.changed(
            "priority",
            "priority",
            Some(from.as_str().into()),
            Some(to.as_str().into()),
        );
        Ok(())
    }

    /// Sets (or clears) the assignee. `audit_kind` is `assignee` for a person's change and
    /// `assigned` for automatic assignment (whose `detail` says why). Returns false when the
    /// ticket already had that assignee.
    pub async fn set_assignee(
        &mut self,
        tx: &mut Tx,
        to: Option<i64>,
        audit_kind: &str,
        detail: Option<&str>,
    ) -> AppResult<bool> {
        self.change_assignee(tx, to, audit_kind, detail, None).await
    }

    /// Automatic assignment to `agent_id`, with why (recorded in English and rendered in each
    /// reader's language).
    pub async fn assign_automatically(
        &mut self,
        tx: &mut Tx,
        agent_id: i64,
        why: &Note,
    ) -> AppResult<bool> {
        let detail = why.english();
        self.change_assignee(tx, Some(agent_id), "assigned", Some(&detail), Some(why))
            .await
    }

    async fn change_assignee(
        &mut self,
        tx: &mut Tx,
        to: Option<i64>,
        audit_kind: &str,
        detail: Option<&str>,
        note: Option<&Note>,
    ) -> AppResult<bool> {
        let from = self.current.assignee_id;
        if from == to {
            return Ok(false);
        }
        sqlx::query("UPDATE ticket SET assignee_id = $1 WHERE ticket_id = $2")
            .bind(to)
            .bind(self.ticket_id)
            .execute(&mut **tx)
            .await?;
        let old = from.map(|v| v.to_string());
        let new = to.map(|v| v.to_string());
        let audit_old = if audit_kind == "assigned" {
            None
        } else {
            old.as_deref()
        };
        insert_event(
            tx,
            self.by,
            &EventRecord {
                ticket_id: self.ticket_id,
                kind: audit_kind,
                old: audit_old,
                new: new.as_deref(),
                detail,
                note,
            },
            self.now,
        )
        .await?;
        self.current.assignee_id = to;
        self.changed("assignee", "assignee_id", old, new);
        Ok(true)
    }

    /// A person's change of assignee, with its consequences for assignment: the previous
    /// assignee has room again, and an unassigned ticket is assigned again.
    pub async fn reassign(&mut self, tx: &mut Tx, to: Option<i64>) -> AppResult<()> {
        let from = self.current.assignee_id;
        if self.set_assignee(tx, to, "assignee", None).await? {
            crate::assign::on_assignee_change(tx, self.ticket_id, from, to, self.now).await?;
        }
        Ok(())
    }

    /// Moves the ticket to another team. `unassign` also clears the assignee (an escalation to
    /// a team whose members choose anew).
    pub async fn set_team(
        &mut self,
        tx: &mut Tx,
        team_id: i64,
        unassign: bool,
        detail: Option<&str>,
    ) -> AppResult<()> {
        let from = self.current.team_id;
        if from == Some(team_id) && !(unassign && self.current.assignee_id.is_some()) {
            return Ok(());
        }
        sqlx::query(
            "UPDATE ticket SET team_id = $1, assignee_id = CASE WHEN $2 = 1 THEN NULL ELSE assignee_id END
             WHERE ticket_id = $3",
        )
        .bind(team_id)
        .bind(i64::from(unassign))
        .bind(self.ticket_id)
        .execute(&mut **tx)
        .await?;
        let old = from.map(|v| v.to_string());
        let new = team_id.to_string();
        self.audit(tx, "team", old.as_deref(), Some(&new), detail)
            .await?;
        self.changed("team", "team_id", old, Some(new));
        self.current.team_id = Some(team_id);
        if unassign && let Some(a) = self.current.assignee_id.take() {
            self.changed("assignee", "assignee_id", Some(a.to_string()), None);
        }
        Ok(())
    }

    /// Stores the routing decision: team, the rule that chose it and the skill it requires. The
    /// decision's audit entry (`routed`) is written by the router, which knows why.
    pub async fn set_routing(
        &mut self,
        tx: &mut Tx,
        team_id: Option<i64>,
        rule_id: Option<i64>,
        required_skill: Option<&str>,
    ) -> AppResult<()> {
        sqlx::query(
            "UPDATE ticket SET team_id = $1, routing_rule_id = $2, required_skill = $3 WHERE ticket_id = $4",
        )
        .bind(team_id)
        .bind(rule_id)
        .bind(required_skill)
        .bind(self.ticket_id)
        .execute(&mut **tx)
        .await?;
        if team_id != self.current.team_id {
            self.changed(
                "team",
                "team_id",
                self.current.team_id.map(|v| v.to_string()),
                team_id.map(|v| v.to_string()),
            );
            self.current.team_id = team_id;
        }
        Ok(())
    }

    /// The assignee left: the ticket waits in its team's queue (no audit entry of its own; the
    /// router logs why the ticket waits).
    pub async fn clear_departed_assignee(&mut self, tx: &mut Tx) -> AppResult<()> {
        if let Some(a) = self.current.assignee_id.take() {
            sqlx::query("UPDATE ticket SET assignee_id = NULL WHERE ticket_id = $1")
                .bind(self.ticket_id)
                .execute(&mut **tx)
                .await?;
            self.changed("assignee", "assignee_id", Some(a.to_string()), None);
        }
        Ok(())
    }

    pub async fn set_subject(&mut self, tx: &mut Tx, subject: &str) -> AppResult<()> {
        let s = super::validate_subject(subject)?;
        if s == self.current.subject {
            return Ok(());
        }
        sqlx::query("UPDATE ticket SET subject = $1 WHERE ticket_id = $2")
            .bind(&s)
            .bind(self.ticket_id)
            .execute(&mut **tx)
            .await?;
        let old = std::mem::replace(&mut self.current.subject, s.clone());
        self.audit(tx, "subject", Some(&old), Some(&s), None)
            .await?;
        self.changed("subject", "subject", Some(old), Some(s));
        Ok(())
    }

    /// Adds tags (cleaned by `tickets::clean_tags`); tags the ticket already has are left alone.
    pub async fn add_tags(&mut self, tx: &mut Tx, tags: &[String]) -> AppResult<()> {
        for tag in tags {
            let added = sqlx::query(
                "INSERT INTO ticket_tag (ticket_id, tag, created_at) VALUES ($1, $2, $3) ON CONFLICT (ticket_id, tag) DO NOTHING",
            )
            .bind(self.ticket_id)
            .bind(tag)
            .bind(self.now)
            .execute(&mut **tx)
            .await?
            .rows_affected();
            if added > 0 {
                self.audit(tx, "tag_added", None, Some(tag), None).await?;
                self.changed("tags", "tags", None, Some(tag.clone()));
            }
        }
        Ok(())
    }

    /// Removes tags; tags the ticket does not have are left alone.
    pub async fn remove_tags(&mut self, tx: &mut Tx, tags: &[String]) -> AppResult<()> {
        for tag in tags {
            let removed = sqlx::query("DELETE FROM ticket_tag WHERE ticket_id = $1 AND tag = $2")
                .bind(self.ticket_id)
                .bind(tag)
                .execute(&mut **tx)
                .await?
                .rows_affected();
            if removed > 0 {
                self.audit(tx, "tag_removed", Some(tag), None, None).await?;
                self.changed("tags", "tags", Some(tag.clone()), None);
            }
        }
        Ok(())
    }

    /// Copies people on the ticket (addresses already cleaned by `tickets::clean_cc`); ones
    /// already copied are left alone. `by` is `mail`, `agent` or `customer`.
    pub async fn add_cc(&mut self, tx: &mut Tx, addresses: &[String], by: &str) -> AppResult<()> {
        for address in addresses {
            let have: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM ticket_cc WHERE ticket_id = $1")
                    .bind(self.ticket_id)
                    .fetch_one(&mut **tx)
                    .await?;
            if have >= super::MAX_CC as i64 {
                if by == "mail" {
                    // A mail copying dozens of people keeps the first ones; it is still taken.
                    break;
                }
                return Err(AppError::field(
                    "add_cc",
                    t!("error-cc-limit", max = super::MAX_CC),
                ));
            }
            let added = sqlx::query(
                "INSERT INTO ticket_cc (ticket_id, address, added_by, created_at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (ticket_id, address) DO NOTHING",
            )
            .bind(self.ticket_id)
            .bind(address)
            .bind(by)
            .bind(self.now)
            .execute(&mut **tx)
            .await?
            .rows_affected();
            if added > 0 {
                self.audit(tx, "cc_added", None, Some(address), None)
                    .await?;
                self.changed("cc", "cc", None, Some(address.clone()));
            }
        }
        Ok(())
    }

    pub async fn remove_cc(&mut self, tx: &mut Tx, addresses: &[String]) -> AppResult<()> {
        for address in addresses {
            let removed =
                sqlx::query("DELETE FROM ticket_cc WHERE ticket_id = $1 AND address = $2")
                    .bind(self.ticket_id)
                    .bind(address)
                    .execute(&mut **tx)
                    .await?
                    .rows_affected();
            if removed > 0 {
                self.audit(tx, "cc_removed", Some(address), None, None)
                    .await?;
                self.changed("cc", "cc", Some(address.clone()), None);
            }
        }
        Ok(())
    }

    /// Marks which message solved the ticket (or clears the mark).
    pub async fn set_resolution(&mut self, tx: &mut Tx, message_id: Option<i64>) -> AppResult<()> {
        if let Some(mid) = message_id {
            let owner: Option<i64> =
                sqlx::query_scalar("SELECT ticket_id FROM message WHERE message_id = $1")
                    .bind(mid)
                    .fetch_optional(&mut **tx)
                    .await?;
            if owner != Some(self.ticket_id) {
                return Err(AppError::field(
                    "message_id",
                    t!("error-not-message-of-ticket"),
                ));
            }
        }
        sqlx::query(
            "UPDATE ticket SET resolution_message_id = $1, resolution_marked_by = $2 WHERE ticket_id = $3",
        )
        .bind(message_id)
        .bind(message_id.and(self.by.agent_id))
        .bind(self.ticket_id)
        .execute(&mut **tx)
        .await?;
        let detail = message_id.map(|m| format!("message {m}"));
        self.audit(tx, "resolution", None, None, detail.as_deref())
            .await?;
        self.changed(
            "resolution",
            "resolution_message_id",
            None,
            message_id.map(|m| m.to_string()),
        );
        Ok(())
    }

    /// Adds a message to the conversation, with its files. An agent's public reply is the
    /// ticket's first response when there was none; agents' messages are logged as `reply` or
    /// `note`.
    pub async fn add_message(&mut self, tx: &mut Tx, m: &NewMessage<'_>) -> AppResult<i64> {
        super::check_file_count("attachments", m.attachments.len())?;
        let visibility = m.visibility.unwrap_or(Visibility::Public);
        let message_id: i64 = sqlx::query_scalar(
            "INSERT INTO message (ticket_id, author_kind, agent_id, customer_id, visibility, body_text, body_html,
                created_at, email_message_id, full_text, thread_reason, thread_reason_note, mail_kind, raw_email_id,
                channel, channel_gateway_id, external_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) RETURNING message_id",
        )
        .bind(self.ticket_id)
        .bind(m.author_kind)
        .bind(m.agent_id)
        .bind(m.customer_id)
        .bind(visibility.as_str())
        .bind(m.body_text)
        .bind(m.body_html)
        .bind(self.now)
        .bind(m.email_message_id)
        .bind(m.full_text)
        .bind(m.thread_reason_note.map(Note::english).or(m.thread_reason.map(str::to_string)))
        .bind(m.thread_reason_note.map(Note::to_json))
        .bind(m.mail_kind)
        .bind(m.raw_email_id)
        .bind(m.channel)
        .bind(m.channel_gateway_id)
        .bind(m.external_id)
        .fetch_one(&mut **tx)
        .await?;
        store_attachments(tx, message_id, m.attachments, self.now).await?;
        let public = visibility == Visibility::Public;
        // Since when the ticket waits on us: a customer's message starts the wait (unless it
        // already runs), an agent's public reply ends it.
        let waiting = match (public, m.author_kind) {
            (true, "customer") => Some(Some(self.now)),
            (true, "agent") => Some(None),
            _ => None,
        };
        if let Some(since) = waiting {
            sqlx::query(
                "UPDATE ticket SET waiting_since = CASE WHEN $1 IS NULL THEN NULL
                   ELSE COALESCE(waiting_since, $1) END WHERE ticket_id = $2",
            )
            .bind(since)
            .bind(self.ticket_id)
            .execute(&mut **tx)
            .await?;
        }
        if m.author_kind == "agent" {
            let kind = if public { "reply" } else { "note" };
            let detail = format!("message {message_id}");
            self.audit(tx, kind, None, None, Some(&detail)).await?;
            if public && self.current.first_response_at.is_none() {
                sqlx::query("UPDATE ticket SET first_response_at = $1 WHERE ticket_id = $2")
                    .bind(self.now)
                    .bind(self.ticket_id)
                    .execute(&mut **tx)
                    .await?;
                self.current.first_response_at = Some(self.now);
                self.audit(tx, "first_response", None, None, None).await?;
            }
        }
        let field = if public { "message" } else { "note" };
        self.changed(
            "message",
            field,
            Some(m.author_kind.to_string()),
            Some(message_id.to_string()),
        );
        Ok(message_id)
    }

    /// Finishes the edit: when anything changed, bumps the version and `updated_at`, writes the
    /// change event, recomputes the SLA clocks and queues the search document.
    pub async fn save(self, tx: &mut Tx) -> AppResult<Saved> {
        self.finish(tx, true).await
    }

    /// [`Edit::save`] with SLA settings the caller already read (the SLA sweep reads them once
    /// per batch and always recomputes the clocks afterwards itself).
    pub async fn save_in_sweep(self, tx: &mut Tx) -> AppResult<Saved> {
        self.finish(tx, false).await
    }

    async fn finish(self, tx: &mut Tx, refresh_sla: bool) -> AppResult<Saved> {
        let Some(kind) = self.kind else {
            return Ok(Saved {
                version: self.current.version,
                changed: false,
            });
        };
        // A ticket created by this edit was inserted at version 1 with `updated_at` = now.
        let created = kind == "created" && self.current.version == 0;
        let version: i64 = if created {
            1
        } else {
            sqlx::query_scalar(
                "UPDATE ticket SET version = version + 1, updated_at = $1 WHERE ticket_id = $2 RETURNING version",
            )
            .bind(self.now)
            .bind(self.ticket_id)
            .fetch_one(&mut **tx)
            .await?
        };
        let change_id: i64 = sqlx::query_scalar(
            "INSERT INTO ticket_change (ticket_id, version, kind, actor_kind, agent_id, fields, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING change_id",
        )
        .bind(self.ticket_id)
        .bind(version)
        .bind(kind)
        .bind(self.by.kind)
        .bind(self.by.agent_id)
        .bind(serde_json::to_string(&self.fields).unwrap_or_else(|_| "[]".into()))
        .bind(self.now)
        .fetch_one(&mut **tx)
        .await?;
        // The live desk streams the change once it commits: on PostgreSQL every node hears of
        // it (delivered only if the transaction commits), on SQLite this process's pump wakes.
        tx.notify_on_commit(crate::live::CHANNEL, change_id.to_string());
        tx.wake_live_on_commit();
        // Webhook deliveries are queued with the change, so none is lost.
        crate::webhooks::on_ticket_change(
            tx,
            &crate::webhooks::TicketChange {
                ticket_id: self.ticket_id,
                created,
                actor_kind: self.by.kind,
                agent_id: self.by.agent_id,
                fields: &self.fields,
                now: self.now,
            },
        )
        .await?;
        if refresh_sla && self.fields.iter().any(|f| moves_sla(&f.field)) {
            crate::sla::store::refresh(tx, self.ticket_id, self.now).await?;
        }
        if self.index {
            let job = outbox::Job::SearchIndex {
                ticket_id: self.ticket_id,
            };
            outbox::enqueue(tx, &job, self.now).await?;
        }
        // Nobody follows or is assigned to a ticket this edit created.
        if !created {
            crate::notify::inbox::on_change(
                tx,
                self.ticket_id,
                self.by.agent_id,
                (&self.current.subject, self.current.assignee_id),
                &self.fields,
                self.now,
            )
            .await?;
        }
        Ok(Saved {
            version,
            changed: true,
        })
    }
}

/// Whether a change of `field` can move an SLA clock. The policies match on priority, team and
/// customer, and the clocks count the ticket's creation, status changes and public messages; an
/// assignee, subject, tag, internal note or marked solution moves none of them.
fn moves_sla(field: &str) -> bool {
    !matches!(
        field,
        "assignee_id" | "subject" | "tags" | "note" | "resolution_message_id"
    )
}

/// Moves the tickets recorded in customer merge `merge_id` from customer `from` to `into` (or
/// back), each as a change of its own: version, audit entry, change event, search document.
/// Returns how many tickets moved.
pub async fn move_merged_tickets(tx: &mut Tx, m: &MergeMove<'_>, now: Millis) -> AppResult<i64> {
    let tickets: Vec<(i64, String, Option<i64>)> = sqlx::query_as(
        "SELECT t.ticket_id, t.subject, t.assignee_id FROM ticket t JOIN customer_merge_item i
           ON i.item_id = t.ticket_id AND i.customer_merge_id = $1 AND i.item_kind = 'ticket'
         WHERE t.customer_id = $2 ORDER BY t.ticket_id",
    )
    .bind(m.merge_id)
    .bind(m.from)
    .fetch_all(&mut **tx)
    .await?;
    let by = By {
        kind: if m.agent_id.is_some() {
            "agent"
        } else {
            "system"
        },
        agent_id: m.agent_id,
    };
    let old = format!("customer #{}", m.from);
    let new = format!("customer #{}", m.into);
    let detail = format!("merge #{}", m.merge_id);
    for (id, subject, assignee_id) in &tickets {
        // Only what the move and its notifications read is filled in.
        let mut edit = Edit {
            ticket_id: *id,
            current: Current {
                status: Status::New,
                priority: Priority::Normal,
                assignee_id: *assignee_id,
                team_id: None,
                subject: subject.clone(),
                customer_id: m.from,
                first_response_at: None,
                version: 0,
            },
            by,
            now,
            kind: None,
            fields: Vec::new(),
            index: true,
        };
        sqlx::query("UPDATE ticket SET customer_id = $1 WHERE ticket_id = $2")
            .bind(m.into)
            .bind(id)
            .execute(&mut **tx)
            .await?;
        edit.audit(tx, m.audit_kind, Some(&old), Some(&new), Some(&detail))
            .await?;
        edit.changed(
            "customer",
            "customer_id",
            Some(m.from.to_string()),
            Some(m.into.to_string()),
        );
        edit.save(tx).await?;
    }
    Ok(tickets.len() as i64)
}

/// Which tickets a customer merge (or its undo) moves.
#[derive(Debug, Clone)]
pub struct MergeMove<'a> {
    pub merge_id: i64,
    pub from: i64,
    pub into: i64,
    pub agent_id: Option<i64>,
    /// `customer_merged` or `customer_merge_undone`.
    pub audit_kind: &'a str,
}

/// A ticket's change events after `version`, oldest first (what changed since a form was drawn).
pub async fn changes_since(
    db: &crate::db::Db,
    ticket_id: i64,
    version: i64,
) -> AppResult<Vec<ChangeEvent>> {
    let rows = sqlx::query(
        "SELECT c.change_id, c.version, c.kind, c.actor_kind, c.agent_id, a.name AS agent_name, c.fields, c.created_at
         FROM ticket_change c LEFT JOIN agent a ON a.agent_id = c.agent_id
         WHERE c.ticket_id = $1 AND c.version > $2 ORDER BY c.version LIMIT 200",
    )
    .bind(ticket_id)
    .bind(version)
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            let fields: String = r.try_get("fields")?;
            Ok(ChangeEvent {
                id: r.try_get("change_id")?,
                ticket_id,
                version: r.try_get("version")?,
                kind: r.try_get("kind")?,
                actor_kind: r.try_get("actor_kind")?,
                agent_id: r.try_get("agent_id")?,
                agent_name: r.try_get("agent_name")?,
                fields: serde_json::from_str(&fields).unwrap_or_default(),
                created_at: r.try_get("created_at")?,
            })
        })
        .collect()
}

/// One stored change event.
#[derive(Debug, Clone, Serialize)]
pub struct ChangeEvent {
    pub id: i64,
    pub ticket_id: i64,
    pub version: i64,
    pub kind: String,
    pub actor_kind: String,
    pub agent_id: Option<i64>,
    pub agent_name: Option<String>,
    pub fields: Vec<FieldChange>,
    pub created_at: Millis,
}

impl ChangeEvent {
    /// Who made the change, for people.
    pub fn who(&self) -> &str {
        match self.actor_kind.as_str() {
            "agent" => self.agent_name.as_deref().unwrap_or("An agent"),
            "customer" => "The customer",
            _ => "Casebook",
        }
    }
}

/// Stores the files of a message (inbound or an agent's reply) in its transaction.
async fn store_attachments(
    tx: &mut Tx,
    message_id: i64,
    files: &[super::NewAttachment],
    now: Millis,
) -> AppResult<()> {
    for a in files {
        sqlx::query(
            "INSERT INTO attachment (message_id, filename, content_type, size_bytes, sha256, content, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(message_id)
        .bind(&a.filename)
        .bind(&a.content_type)
        .bind(a.content.len() as i64)
        .bind(hex::encode(Sha256::digest(&a.content)))
        .bind(&a.content)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}
