#!/usr/bin/env bash
# Real mail servers for Casebook's email-channel tests, from Debian's packages:
#   Dovecot  IMAP  127.0.0.1:1143  (ssl = no, plaintext auth, IDLE)
#            LMTP  127.0.0.1:24024 (Postfix delivers into it)
#   Postfix  SMTP  127.0.0.1:2525  (own instance: `postfix -c $STATE/postfix`)
#
# Everything (configs, mail, queue, logs, pid files) lives in one state folder,
# $CASEBOOK_MAIL_STATE (default /tmp/casebook-mail). Nothing listens on a
# non-loopback address and nothing listens on port 25. Mail for any domain other
# than helpdesk.test / customer.test is refused at RCPT time; nothing is ever
# sent out (default_transport/relay_transport are error: transports).
#
# Users: any address in helpdesk.test or customer.test is a valid mailbox
# (created on first delivery or login) with password "test-pw"; the two named
# users have their own passwords:
#   support@helpdesk.test   / support-pw
#   customer@customer.test  / customer-pw
# "+detail" is stripped on delivery (support+abc@helpdesk.test -> support's INBOX).
#
# Usage:
#   .ci/mail-servers.sh          install if needed, (re)start, self-check, write $STATE/env
#   .ci/mail-servers.sh --stop   stop both servers
#   .ci/mail-servers.sh --reset  empty every mailbox and the Postfix queue
#   .ci/mail-servers.sh --status print whether the servers run
# Then: source "$STATE/env" (CASEBOOK_TEST_* variables).
# Inject a message without SMTP:  $CASEBOOK_TEST_DOVEADM save -u USER < message.eml
# (needs root, like the rest of this script).
set -euo pipefail

STATE="${CASEBOOK_MAIL_STATE:-/tmp/casebook-mail}"
HOST=127.0.0.1
IMAP_PORT=1143
SMTP_PORT=2525
LMTP_PORT=24024
DOMAINS=(helpdesk.test customer.test)
SUPPORT_USER=support@helpdesk.test
SUPPORT_PW=support-pw
CUSTOMER_USER=customer@customer.test
CUSTOMER_PW=customer-pw
SHARED_PW=test-pw
MAIL_USER=vmail
PACKAGES=(dovecot-imapd dovecot-lmtpd postfix)

DOVECOT_CONF="$STATE/dovecot.conf"
DOVECOT_RUN="$STATE/dovecot-run"
DOVECOT_PID="$DOVECOT_RUN/master.pid"
DOVECOT_LOG="$STATE/dovecot.log"
DOVECOT_USERS="$STATE/dovecot-users"
MAIL_DIR="$STATE/mail"
PF_DIR="$STATE/postfix"
PF_QUEUE="$STATE/postfix-queue"
PF_DATA="$STATE/postfix-data"
PF_LOG="$STATE/postfix.log"
ENV_FILE="$STATE/env"

log() { printf '[mail-servers] %s\n' "$*"; }
ok() { printf '[mail-servers] OK   %s\n' "$*"; }

dump_logs() {
    local f
    for f in "$DOVECOT_LOG" "$PF_LOG"; do
        if [[ -f "$f" ]]; then
            printf '[mail-servers] ---- last lines of %s ----\n' "$f" >&2
            tail -n 40 "$f" >&2 || true
        else
            printf '[mail-servers] ---- %s does not exist ----\n' "$f" >&2
        fi
    done
}

fail() {
    printf '[mail-servers] FAIL %s\n' "$*" >&2
    dump_logs
    exit 1
}

usage() {
    sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
}

MODE=start
case "${1:-}" in
    "") ;;
    --stop) MODE=stop ;;
    --reset) MODE=reset ;;
    --status) MODE=status ;;
    -h | --help) usage; exit 0 ;;
    *) echo "unknown argument: $1 (try --help)" >&2; exit 2 ;;
esac

[[ $(id -u) -eq 0 ]] || { echo "mail-servers.sh must run as root" >&2; exit 1; }
# The path ends up unquoted in Dovecot/Postfix configs and in unix socket
# paths (limited to ~107 bytes), so keep it simple and short.
[[ "$STATE" =~ ^/[A-Za-z0-9._/-]+$ ]] || { echo "CASEBOOK_MAIL_STATE must be an absolute path of [A-Za-z0-9._/-]: $STATE" >&2; exit 2; }
((${#STATE} <= 60)) || { echo "CASEBOOK_MAIL_STATE is too long for unix socket paths (max 60 chars): $STATE" >&2; exit 2; }

mkdir -p "$STATE"
chmod 0755 "$STATE"
# One run at a time (parallel test binaries may call this script).
# The daemons must not inherit fd 9 (they would hold the lock forever): start them with 9>&-.
exec 9>"$STATE/.lock"
if ! flock -n 9; then
    echo "[mail-servers] waiting for another run of this script to finish ($STATE/.lock)"
    flock -w 900 9 || { echo "could not lock $STATE/.lock" >&2; exit 1; }
fi

# ---------------------------------------------------------------- helpers

alive() { # alive PID -> the process exists and is not a zombie
    local state
    state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
    [[ -n "$state" && "$state" != Z ]]
}

pid_is() { # pid_is PIDFILE NAME  -> prints the pid if PIDFILE names a live process called NAME
    local pid
    [[ -s "$1" ]] || return 1
    pid=$(head -n1 "$1" 2>/dev/null | tr -dc 0-9)
    [[ -n "$pid" ]] && alive "$pid" || return 1
    [[ "$(cat "/proc/$pid/comm" 2>/dev/null)" == "$2" ]] || return 1
    echo "$pid"
}

dovecot_pid() {
    local pid
    pid=$(pid_is "$DOVECOT_PID" dovecot) || return 1
    # After a reboot the pid may belong to an unrelated dovecot: it must be ours.
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$DOVECOT_CONF" || return 1
    echo "$pid"
}

postfix_running() {
    [[ -f "$PF_DIR/main.cf" ]] && postfix -c "$PF_DIR" status >/dev/null 2>&1
}

port_open() { # port_open PORT -> something accepts connections on 127.0.0.1:PORT
    "$PY" - "$1" <<'PY'
import socket, sys
try:
    socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1).close()
except OSError:
    sys.exit(1)
PY
}

wait_port_free() { # wait_port_free PORT WHAT: bounded wait for leftovers of a killed server
    local i
    for ((i = 0; i < 50; i++)); do
        port_open "$1" || return 0
        sleep 0.2
    done
    ss -ltnp "sport = :$1" 2>/dev/null || true
    fail "port $HOST:$1 is taken by another process; cannot start $2"
}

stop_dovecot() {
    local pid i
    if pid=$(dovecot_pid); then
        log "stopping Dovecot (pid $pid)"
        kill -TERM "$pid" 2>/dev/null || true
        for ((i = 0; i < 100; i++)); do
            alive "$pid" || break
            sleep 0.1
        done
        if alive "$pid"; then kill -KILL "$pid" 2>/dev/null || true; fi
    fi
    rm -f "$DOVECOT_PID"
}

stop_postfix() {
    if postfix_running; then
        log "stopping Postfix"
        postfix -c "$PF_DIR" stop >/dev/null 2>&1 || true
        local i
        for ((i = 0; i < 100; i++)); do
            postfix_running || break
            sleep 0.1
        done
        if postfix_running; then
            postfix -c "$PF_DIR" abort >/dev/null 2>&1 || true
        fi
    fi
}

# ---------------------------------------------------------------- --stop / --status / --reset

if [[ $MODE == stop ]]; then
    command -v postfix >/dev/null && stop_postfix
    stop_dovecot
    ok "mail servers stopped"
    exit 0
fi

if [[ $MODE == status ]]; then
    rc=0
    if pid=$(dovecot_pid); then ok "Dovecot runs (pid $pid)"; else log "Dovecot is not running"; rc=1; fi
    if command -v postfix >/dev/null && postfix_running; then ok "Postfix runs"; else log "Postfix is not running"; rc=1; fi
    exit $rc
fi

if [[ $MODE == reset ]]; then
    if command -v postfix >/dev/null && [[ -f "$PF_DIR/main.cf" ]]; then
        postsuper -c "$PF_DIR" -d ALL >/dev/null 2>&1 || true
    fi
    if [[ -d "$MAIL_DIR" ]]; then
        if dovecot_pid >/dev/null; then
            # Expunge through Dovecot so that open IMAP sessions stay consistent.
            for d in "$MAIL_DIR"/*/*/; do
                [[ -d "$d" ]] || continue
                d=${d%/}
                user="$(basename "$d")@$(basename "$(dirname "$d")")"
                doveadm -c "$DOVECOT_CONF" expunge -u "$user" mailbox '*' all ||
                    fail "could not expunge the mailboxes of $user"
            done
        else
            find "$MAIL_DIR" -mindepth 1 -maxdepth 1 -exec rm -rf {} +
        fi
    fi
    ok "all mailboxes are empty"
    exit 0
fi

# ---------------------------------------------------------------- 1. packages

install_packages() {
    local missing=() p
    for p in "${PACKAGES[@]}"; do
        dpkg-query -W -f='${db:Status-Status}\n' "$p" 2>/dev/null | grep -qx installed || missing+=("$p")
    done
    command -v python3 >/dev/null || missing+=(python3)
    command -v ss >/dev/null || missing+=(iproute2)
    ((${#missing[@]})) || return 0

    log "installing ${missing[*]} (apt-get update first; this can take a while)"
    printf '%s\n' \
        'postfix postfix/main_mailer_type select Local only' \
        'postfix postfix/mailname string localhost' | debconf-set-selections
    # Keep the packages' own default instances (Postfix on port 25, Dovecot on
    # 143/993 on all addresses) from being started by their maintainer scripts.
    local policy=/usr/sbin/policy-rc.d added_policy=
    if [[ ! -e $policy ]]; then
        printf '#!/bin/sh\nexit 101\n' >"$policy"
        chmod 0755 "$policy"
        added_policy=1
        trap 'rm -f /usr/sbin/policy-rc.d' EXIT
    fi
    local apt_opts=(-o Acquire::Retries=3 -o DPkg::Lock::Timeout=300)
    apt-get "${apt_opts[@]}" update -q || log "apt-get update failed; trying to install anyway"
    DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" install -y -q --no-install-recommends \
        -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${missing[@]}" ||
        fail "apt-get install ${missing[*]} failed"
    if [[ -n $added_policy ]]; then
        rm -f "$policy"
        trap - EXIT
    fi
    ok "installed ${missing[*]}"
}
install_packages
# Debian's interpreter (stdlib smtplib/imaplib) rather than a pyenv shim, if there.
PY=$(command -v /usr/bin/python3 || command -v python3)

# ---------------------------------------------------------------- 2. system user

if ! getent group "$MAIL_USER" >/dev/null; then
    groupadd --system "$MAIL_USER"
fi
if ! getent passwd "$MAIL_USER" >/dev/null; then
    useradd --system --gid "$MAIL_USER" --home-dir /nonexistent --no-create-home \
        --shell /usr/sbin/nologin --comment "Casebook test mail" "$MAIL_USER"
fi
MAIL_UID=$(id -u "$MAIL_USER")
MAIL_GID=$(id -g "$MAIL_USER")

mkdir -p "$MAIL_DIR" "$PF_DIR" "$PF_QUEUE" "$PF_DATA"
chown "$MAIL_USER:$MAIL_USER" "$MAIL_DIR"
chmod 0750 "$MAIL_DIR"
chown root:root "$PF_DIR" "$PF_QUEUE"
chmod 0755 "$PF_DIR" "$PF_QUEUE"
chown postfix:postfix "$PF_DATA"
chmod 0700 "$PF_DATA"

# install_if_changed SRC DEST MODE -> returns 0 when DEST changed
install_if_changed() {
    if [[ -f "$2" ]] && cmp -s "$1" "$2"; then
        rm -f "$1"
        return 1
    fi
    chmod "$3" "$1"
    mv -f "$1" "$2"
    return 0
}

# ---------------------------------------------------------------- 3. Dovecot

DOVECOT_CHANGED=
tmp=$(mktemp "$STATE/.users.XXXXXX")
cat >"$tmp" <<EOF
$SUPPORT_USER:{PLAIN}$SUPPORT_PW
$CUSTOMER_USER:{PLAIN}$CUSTOMER_PW
EOF
if install_if_changed "$tmp" "$DOVECOT_USERS" 0640; then DOVECOT_CHANGED=1; fi
chown root:dovecot "$DOVECOT_USERS"

domain_filter=""
for d in "${DOMAINS[@]}"; do domain_filter+=" *@$d"; done
domain_filter=${domain_filter# }

tmp=$(mktemp "$STATE/.dovecot.XXXXXX")
cat >"$tmp" <<EOF
# Generated by .ci/mail-servers.sh - edits are overwritten on the next run.
base_dir = $DOVECOT_RUN
listen = $HOST
protocols = imap lmtp
log_path = $DOVECOT_LOG
info_log_path = $DOVECOT_LOG
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_username_format = %Lu
# Tests log in with wrong passwords on purpose: no extra delay (a failed
# login still takes up to 0.5 s, a fixed check interval in Dovecot).
auth_failure_delay = 0
login_trusted_networks = 127.0.0.0/8
default_internal_user = dovecot
default_login_user = dovenull
first_valid_uid = $MAIL_UID
last_valid_uid = $MAIL_UID
first_valid_gid = $MAIL_GID
last_valid_gid = $MAIL_GID
mail_uid = $MAIL_USER
mail_gid = $MAIL_USER
mail_location = maildir:~/Maildir
mail_fsync = never
recipient_delimiter = +
lmtp_save_to_detail_mailbox = no
postmaster_address = postmaster@${DOMAINS[0]}
hostname = mail.${DOMAINS[0]}

namespace inbox {
  inbox = yes
}

# The named users, with their own passwords.
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $DOVECOT_USERS
}
# Any other address in the test domains, with the shared password.
passdb {
  driver = static
  args = password=$SHARED_PW
  username_filter = !$SUPPORT_USER !$CUSTOMER_USER $domain_filter
}
userdb {
  driver = static
  args = uid=$MAIL_USER gid=$MAIL_USER home=$MAIL_DIR/%d/%n
}

service imap-login {
  inet_listener imap {
    address = $HOST
    port = $IMAP_PORT
  }
  inet_listener imaps {
    port = 0
  }
}
service lmtp {
  inet_listener lmtp {
    address = $HOST
    port = $LMTP_PORT
  }
}
# No auth penalty: Dovecot otherwise delays logins from 127.0.0.1 by 2-15 s
# after a failed one (tests try wrong passwords on purpose).
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
protocol imap {
  # Tests open many connections (IDLE, parallel tests) for one user from 127.0.0.1.
  mail_max_userip_connections = 200
}
EOF
if install_if_changed "$tmp" "$DOVECOT_CONF" 0644; then DOVECOT_CHANGED=1; fi
doveconf -c "$DOVECOT_CONF" -n >/dev/null 2>"$STATE/.doveconf.err" ||
    { cat "$STATE/.doveconf.err" >&2; fail "Dovecot rejects $DOVECOT_CONF"; }

if pid=$(dovecot_pid); then
    if [[ -n $DOVECOT_CHANGED ]]; then
        log "Dovecot config changed: reloading (pid $pid)"
        kill -HUP "$pid"
    else
        ok "Dovecot already runs (pid $pid)"
    fi
else
    rm -f "$DOVECOT_PID" # stale (killed, or left over from before a reboot)
    # With the penalty listener disabled, a leftover socket file makes the auth
    # process retry it for 5 s (and log an error) before the first login works.
    rm -f "$DOVECOT_RUN/anvil-auth-penalty"
    wait_port_free "$IMAP_PORT" Dovecot
    wait_port_free "$LMTP_PORT" Dovecot
    log "starting Dovecot"
    # Dovecot's master keeps its stderr open for good: never hand it our stdout/stderr
    # (a caller reading this script's output through a pipe would wait forever).
    dovecot -c "$DOVECOT_CONF" </dev/null >"$STATE/dovecot-start.log" 2>&1 9>&- ||
        { cat "$STATE/dovecot-start.log" >&2; fail "dovecot -c $DOVECOT_CONF did not start"; }
fi

# ---------------------------------------------------------------- 4. Postfix

PF_CHANGED=
tmp=$(mktemp "$STATE/.main.cf.XXXXXX")
cat >"$tmp" <<EOF
# Generated by .ci/mail-servers.sh - edits are overwritten on the next run.
# A separate Postfix instance: postfix -c $PF_DIR ...
compatibility_level = 3.6
config_directory = $PF_DIR
queue_directory = $PF_QUEUE
data_directory = $PF_DATA
mail_owner = postfix
setgid_group = postdrop
maillog_file = $PF_LOG
maillog_file_prefixes = $STATE
syslog_name = postfix-casebook

myhostname = mail.${DOMAINS[0]}
mydomain = ${DOMAINS[0]}
myorigin = \$myhostname
mydestination =
inet_interfaces = $HOST
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
relay_domains =
alias_maps =
alias_database =
biff = no
append_dot_mydomain = no
smtputf8_enable = no
message_size_limit = 52428800
smtpd_banner = \$myhostname ESMTP Casebook test server

# Every address in these domains exists; Dovecot creates the mailbox.
virtual_mailbox_domains = ${DOMAINS[*]}
virtual_mailbox_maps = static:ok
virtual_transport = lmtp:inet:$HOST:$LMTP_PORT
recipient_delimiter = +

# Nothing ever leaves this machine.
local_transport = error:no local delivery in tests
default_transport = error:no outbound mail in tests
relay_transport = error:no outbound mail in tests
# Refuse other domains at RCPT time, also from 127.0.0.1.
smtpd_relay_restrictions = reject_unauth_destination
smtpd_recipient_restrictions = reject_unauth_destination
notify_classes =

smtpd_tls_security_level = none
smtp_tls_security_level = none
lmtp_tls_security_level = none
smtpd_sasl_auth_enable = no
# Tests provoke errors on purpose: no tarpitting, no inflow throttling.
smtpd_error_sleep_time = 0s
smtpd_soft_error_limit = 1000
smtpd_hard_error_limit = 1000
in_flow_delay = 0s
# If Dovecot was briefly unavailable, retry soon.
queue_run_delay = 5s
minimal_backoff_time = 5s
maximal_backoff_time = 15s
EOF
if install_if_changed "$tmp" "$PF_DIR/main.cf" 0644; then PF_CHANGED=1; fi

tmp=$(mktemp "$STATE/.master.cf.XXXXXX")
cat >"$tmp" <<EOF
# Generated by .ci/mail-servers.sh. Only SMTP on $HOST:$SMTP_PORT; nothing on port 25.
# service type  private unpriv  chroot  wakeup  maxproc command
$HOST:$SMTP_PORT inet n - n - - smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF
if install_if_changed "$tmp" "$PF_DIR/master.cf" 0644; then PF_CHANGED=1; fi

if postfix_running; then
    if [[ -n $PF_CHANGED ]]; then
        log "Postfix config changed: reloading"
        postfix -c "$PF_DIR" reload >/dev/null 2>&1 || fail "postfix -c $PF_DIR reload failed"
    else
        ok "Postfix already runs"
    fi
else
    wait_port_free "$SMTP_PORT" Postfix
    log "starting Postfix"
    # `postfix start` also creates the queue directories (post-install create-missing).
    postfix -c "$PF_DIR" start </dev/null >"$STATE/postfix-start.log" 2>&1 9>&- ||
        { cat "$STATE/postfix-start.log" >&2; fail "postfix -c $PF_DIR start failed"; }
fi

# ---------------------------------------------------------------- 5. wait for both

"$PY" - "$IMAP_PORT" "$SMTP_PORT" "$LMTP_PORT" <<'PY' || fail "the servers did not answer within 20 s"
import socket, sys, time
checks = [("IMAP", int(sys.argv[1]), b"* OK"), ("SMTP", int(sys.argv[2]), b"220"), ("LMTP", int(sys.argv[3]), b"220")]
deadline = time.monotonic() + 20
for name, port, want in checks:
    last = None
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
                s.settimeout(3)
                greeting = s.recv(512)
            if greeting.startswith(want):
                print(f"[mail-servers] OK   {name} answers on 127.0.0.1:{port}: {greeting.decode(errors='replace').strip()}")
                break
            last = f"unexpected greeting {greeting!r}"
        except OSError as e:
            last = str(e)
        if time.monotonic() > deadline:
            print(f"[mail-servers] FAIL {name} on 127.0.0.1:{port}: {last}", file=sys.stderr)
            sys.exit(1)
        time.sleep(0.2)
PY

if ss -ltnH 2>/dev/null | awk '{print $4}' | grep -Eq '[:.]25$'; then
    ss -ltnp 2>/dev/null | grep -E '[:.]25 ' >&2 || true
    fail "something listens on port 25 (a default Postfix instance?); stop it"
fi

# ---------------------------------------------------------------- 6. self-check

DOVEADM="doveadm -c $DOVECOT_CONF"
export MS_IMAP_PORT=$IMAP_PORT MS_SMTP_PORT=$SMTP_PORT MS_DOVEADM="$DOVEADM" MS_MAIL_DIR="$MAIL_DIR" \
    MS_SUPPORT_USER=$SUPPORT_USER MS_SUPPORT_PW=$SUPPORT_PW MS_CUSTOMER_USER=$CUSTOMER_USER \
    MS_CUSTOMER_PW=$CUSTOMER_PW MS_SHARED_PW=$SHARED_PW MS_NEW_DOMAIN=${DOMAINS[1]}
"$PY" - <<'PY' || fail "self-check failed"
import imaplib, os, shutil, smtplib, socket, subprocess, sys, time, uuid
from email.message import EmailMessage

E = os.environ
HOST = "127.0.0.1"
IMAP_PORT, SMTP_PORT = int(E["MS_IMAP_PORT"]), int(E["MS_SMTP_PORT"])
tag = "casebook-selfcheck-" + uuid.uuid4().hex[:12]
new_local = "selfcheck-" + uuid.uuid4().hex[:8]
new_user = f"{new_local}@{E['MS_NEW_DOMAIN']}"
support = (E["MS_SUPPORT_USER"], E["MS_SUPPORT_PW"])
customer = (E["MS_CUSTOMER_USER"], E["MS_CUSTOMER_PW"])
newbie = (new_user, E["MS_SHARED_PW"])

def ok(msg):
    print(f"[mail-servers] OK   {msg}", flush=True)

def message(subject, to):
    m = EmailMessage()
    m["From"] = "selfcheck@helpdesk.test"
    m["To"] = to
    m["Subject"] = subject
    m["Message-ID"] = f"<{uuid.uuid4().hex}@selfcheck.helpdesk.test>"
    m.set_content("Casebook mail-servers.sh self-check\n")
    return m

def imap(user):
    c = imaplib.IMAP4(HOST, IMAP_PORT, timeout=10)
    c.login(*user)
    return c

def wait_for(conn, subject, what):
    deadline = time.monotonic() + 10
    while True:
        typ, _ = conn.select("INBOX")
        assert typ == "OK", typ
        typ, data = conn.search(None, "SUBJECT", f'"{subject}"')
        ids = data[0].split()
        if ids:
            typ, body = conn.fetch(ids[0], "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
            assert subject.encode() in body[0][1], body
            return ids
        if time.monotonic() > deadline:
            raise SystemExit(f"[mail-servers] FAIL {what}: message {subject!r} did not arrive within 10 s")
        time.sleep(0.2)

def delete(conn, ids):
    for i in ids:
        conn.store(i, "+FLAGS", "\\Deleted")
    conn.expunge()

# 1. IMAP capabilities, logins, wrong password refused.
c = imap(customer)
caps = c.capabilities
assert "IDLE" in caps, caps
ok(f"IMAP login {customer[0]}; CAPABILITY has IDLE")
c.logout()
try:
    imap((support[0], "wrong-password"))
    raise SystemExit("[mail-servers] FAIL a wrong password was accepted")
except imaplib.IMAP4.error:
    ok("IMAP refuses a wrong password")

# 2. A brand-new address, IDLE'ing while the message comes in over SMTP.
idler = imap(newbie)
idler.select("INBOX")
idle_tag = idler._new_tag()
idler.send(idle_tag + b" IDLE\r\n")
line = idler.readline()
assert line.startswith(b"+"), line
ok(f"IMAP login {new_user} (new address, shared password); IDLE started")

with smtplib.SMTP(HOST, SMTP_PORT, timeout=10) as s:
    m = message(tag, f"{support[0]}, {customer[0]}, {new_user}")
    refused = s.send_message(m)
    assert not refused, refused
    ok(f"SMTP 127.0.0.1:{SMTP_PORT} accepted a message for {support[0]}, {customer[0]}, {new_user}")
    s.mail("selfcheck@helpdesk.test")
    code, resp = s.rcpt("somebody@example.com")
    assert code >= 500, (code, resp)
    s.rset()
    ok(f"SMTP refuses other domains: {code} {resp.decode(errors='replace')}")

idler.sock.settimeout(10)
try:
    line = idler.readline()
except socket.timeout:
    raise SystemExit("[mail-servers] FAIL IDLE: no EXISTS within 10 s")
assert b"EXISTS" in line, line
ok(f"IDLE reported the new message: {line.decode().strip()}")
idler.send(b"DONE\r\n")
while True:
    line = idler.readline()
    if line.startswith(idle_tag):
        assert b" OK" in line, line
        break
delete(idler, wait_for(idler, tag, new_user))
idler.logout()
shutil.rmtree(os.path.join(E["MS_MAIL_DIR"], E["MS_NEW_DOMAIN"], new_local), ignore_errors=True)
ok(f"{new_user} received it over SMTP -> LMTP (mailbox removed again)")

for user in (support, customer):
    c = imap(user)
    delete(c, wait_for(c, tag, user[0]))
    c.logout()
    ok(f"{user[0]} received it; deleted again")

# 3. doveadm save injects straight into an INBOX.
tag2 = tag + "-doveadm"
cmd = E["MS_DOVEADM"].split() + ["save", "-u", support[0]]
subprocess.run(cmd, input=message(tag2, support[0]).as_bytes(), check=True)
c = imap(support)
delete(c, wait_for(c, tag2, "doveadm save"))
c.logout()
ok(f"'{E['MS_DOVEADM']} save -u {support[0]}' injects into INBOX; deleted again")
PY

# ---------------------------------------------------------------- 7. env file

tmp=$(mktemp "$STATE/.env.XXXXXX")
cat >"$tmp" <<EOF
# Written by .ci/mail-servers.sh; source it before the email tests.
export CASEBOOK_TEST_IMAP_HOST=$HOST
export CASEBOOK_TEST_IMAP_PORT=$IMAP_PORT
export CASEBOOK_TEST_SMTP_URL=smtp://$HOST:$SMTP_PORT
export CASEBOOK_TEST_SMTP_HOST=$HOST
export CASEBOOK_TEST_SMTP_PORT=$SMTP_PORT
export CASEBOOK_TEST_DOVEADM="$DOVEADM"
export CASEBOOK_TEST_IMAP_SUPPORT_USER=$SUPPORT_USER
export CASEBOOK_TEST_IMAP_SUPPORT_PASSWORD=$SUPPORT_PW
export CASEBOOK_TEST_IMAP_CUSTOMER_USER=$CUSTOMER_USER
export CASEBOOK_TEST_IMAP_CUSTOMER_PASSWORD=$CUSTOMER_PW
# Any other address in these domains is a mailbox with this password.
export CASEBOOK_TEST_MAIL_DOMAINS="${DOMAINS[*]}"
export CASEBOOK_TEST_MAIL_SHARED_PASSWORD=$SHARED_PW
EOF
chmod 0644 "$tmp"
mv -f "$tmp" "$ENV_FILE"
log "environment for the tests ($ENV_FILE):"
grep '^export' "$ENV_FILE" | sed 's/^/    /'
ok "mail servers ready (state in $STATE)"
