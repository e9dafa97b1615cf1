namespace Observe.Store.Internal.Sqlite;

/// <summary>
/// The SQLite schema, one step per version. Never edit a shipped step: add a new one (databases in the field are
/// at every earlier version). The PostgreSQL steps mirror these with that engine's types.
/// </summary>
internal static class SqliteMigrations
{
    public static IReadOnlyList<Migration> All { get; } =
    [
        new(1, "functions, metrics, fleet aggregate, invocations, errors, traces, alarms, alerting, checkpoints", """
            CREATE TABLE schema_version (
                version INTEGER PRIMARY KEY,
                description TEXT NOT NULL,
                applied_at INTEGER NOT NULL);

            -- The function dimension: metric rows carry the small integer id instead of three strings.
            CREATE TABLE fn (
                id INTEGER PRIMARY KEY,
                account_id TEXT NOT NULL,
                region TEXT NOT NULL,
                name TEXT NOT NULL,
                UNIQUE (account_id, region, name));

            -- What the inventory collector saw; a function known only from metrics has no row here.
            CREATE TABLE function_inventory (
                fid INTEGER PRIMARY KEY REFERENCES fn (id),
                arn TEXT NOT NULL,
                runtime TEXT,
                architecture TEXT NOT NULL,
                memory_mb INTEGER NOT NULL,
                timeout_s INTEGER NOT NULL,
                code_size INTEGER NOT NULL,
                package_type TEXT NOT NULL,
                last_modified INTEGER NOT NULL,
                tags TEXT NOT NULL,
                layers TEXT NOT NULL,
                event_sources TEXT NOT NULL,
                provisioned_concurrency INTEGER NOT NULL,
                reserved_concurrency INTEGER,
                last_seen INTEGER NOT NULL,
                deleted_at INTEGER);

            -- One row per function-minute, clustered by function so a function's series is one range read.
            CREATE TABLE metric_minute (
                fid INTEGER NOT NULL,
                minute INTEGER NOT NULL,
                invocations REAL,
                errors REAL,
                throttles REAL,
                duration_avg REAL,
                duration_p50 REAL,
                duration_p90 REAL,
                duration_p99 REAL,
                concurrency REAL,
                iterator_age REAL,
                cold_starts REAL,
                PRIMARY KEY (fid, minute)) WITHOUT ROWID;

            -- Fleet sums per minute and account/region, kept current by every metrics write: the Overview reads
            -- about 1,440 rows per account/region a day instead of every function-minute.
            CREATE TABLE fleet_minute (
                minute INTEGER NOT NULL,
                account_id TEXT NOT NULL,
                region TEXT NOT NULL,
                invocations REAL NOT NULL,
                errors REAL NOT NULL,
                throttles REAL NOT NULL,
                cold_starts REAL NOT NULL,
                duration_weighted REAL NOT NULL,
                duration_weight REAL NOT NULL,
                concurrency REAL NOT NULL,
                concurrency_count INTEGER NOT NULL,
                PRIMARY KEY (minute, account_id, region)) WITHOUT ROWID;

            CREATE TABLE invocation_report (
                request_id TEXT PRIMARY KEY,
                fid INTEGER NOT NULL,
                ts INTEGER NOT NULL,
                duration_ms REAL NOT NULL,
                billed_duration_ms REAL NOT NULL,
                memory_size_mb INTEGER NOT NULL,
                max_memory_used_mb INTEGER NOT NULL,
                init_duration_ms REAL,
                restore_duration_ms REAL,
                status TEXT NOT NULL,
                trace_id TEXT);
            CREATE INDEX invocation_report_fid_ts ON invocation_report (fid, ts);
            CREATE INDEX invocation_report_ts ON invocation_report (ts);

            CREATE TABLE error_group (
                id INTEGER PRIMARY KEY,
                fid INTEGER NOT NULL,
                fingerprint TEXT NOT NULL,
                error_type TEXT NOT NULL,
                message TEXT NOT NULL,
                first_seen INTEGER NOT NULL,
                last_seen INTEGER NOT NULL,
                sample_stack_trace TEXT,
                sample_request_id TEXT,
                sample_trace_id TEXT,
                UNIQUE (fid, fingerprint));

            -- Occurrences as one collector pass reported them; keyed by the pass's first and last occurrence so a
            -- replayed pass replaces its row instead of adding to the count.
            CREATE TABLE error_window (
                group_id INTEGER NOT NULL,
                first_seen INTEGER NOT NULL,
                last_seen INTEGER NOT NULL,
                count INTEGER NOT NULL,
                PRIMARY KEY (group_id, first_seen, last_seen)) WITHOUT ROWID;
            CREATE INDEX error_window_last_seen ON error_window (last_seen);

            CREATE TABLE trace (
                trace_id TEXT PRIMARY KEY,
                start_ms INTEGER NOT NULL,
                duration_ms REAL NOT NULL,
                has_error INTEGER NOT NULL,
                has_fault INTEGER NOT NULL,
                has_throttle INTEGER NOT NULL,
                entry_point TEXT,
                http_status TEXT,
                functions TEXT NOT NULL,
                segments TEXT NOT NULL);
            CREATE INDEX trace_start ON trace (start_ms);

            CREATE TABLE alarm (
                arn TEXT PRIMARY KEY,
                account_id TEXT NOT NULL,
                region TEXT NOT NULL,
                name TEXT NOT NULL,
                kind TEXT NOT NULL,
                state TEXT NOT NULL,
                state_reason TEXT,
                state_updated INTEGER NOT NULL,
                function_name TEXT,
                metric_name TEXT,
                namespace TEXT);
            CREATE INDEX alarm_scope ON alarm (account_id, region, name);

            CREATE TABLE alarm_history (
                id INTEGER PRIMARY KEY,
                alarm_arn TEXT NOT NULL,
                ts INTEGER NOT NULL,
                from_state TEXT NOT NULL,
                to_state TEXT NOT NULL,
                reason TEXT);
            CREATE INDEX alarm_history_arn_ts ON alarm_history (alarm_arn, ts);

            CREATE TABLE alert_rule (
                id TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                condition TEXT NOT NULL,
                scope_account_id TEXT,
                scope_region TEXT,
                for_ms INTEGER NOT NULL,
                severity TEXT NOT NULL,
                channels TEXT NOT NULL,
                enabled INTEGER NOT NULL,
                updated_at INTEGER NOT NULL);

            CREATE TABLE alert_instance (
                rule_id TEXT NOT NULL,
                labels_key TEXT NOT NULL,
                labels TEXT NOT NULL,
                status TEXT NOT NULL,
                active_since INTEGER NOT NULL,
                resolved_at INTEGER,
                value REAL,
                updated_at INTEGER NOT NULL,
                PRIMARY KEY (rule_id, labels_key));

            CREATE TABLE notification (
                id TEXT PRIMARY KEY,
                channel_id TEXT NOT NULL,
                group_key TEXT NOT NULL,
                content_hash TEXT NOT NULL,
                created_at INTEGER NOT NULL,
                sent_at INTEGER,
                attempts INTEGER NOT NULL,
                last_error TEXT,
                status TEXT NOT NULL);
            CREATE INDEX notification_group ON notification (channel_id, group_key, created_at);
            CREATE INDEX notification_created ON notification (created_at);

            CREATE TABLE silence (
                id TEXT PRIMARY KEY,
                matchers TEXT NOT NULL,
                starts_at INTEGER NOT NULL,
                ends_at INTEGER NOT NULL,
                created_by TEXT NOT NULL,
                comment TEXT NOT NULL);

            CREATE TABLE checkpoint (
                key TEXT PRIMARY KEY,
                value TEXT NOT NULL,
                updated_at INTEGER NOT NULL);
            """),
        new(2, "hourly rollups and the rollup watermark", """
            -- Minutes past the raw retention, rolled up per function-hour. Duration keeps its weighted sum and
            -- weight so partial hours combine exactly.
            CREATE TABLE metric_hour (
                fid INTEGER NOT NULL,
                hour INTEGER NOT NULL,
                invocations REAL NOT NULL,
                errors REAL NOT NULL,
                throttles REAL NOT NULL,
                cold_starts REAL NOT NULL,
                duration_weighted REAL NOT NULL,
                duration_weight REAL NOT NULL,
                duration_p50 REAL,
                duration_p90 REAL,
                duration_p99 REAL,
                concurrency REAL,
                iterator_age REAL,
                PRIMARY KEY (fid, hour)) WITHOUT ROWID;

            CREATE TABLE fleet_hour (
                hour INTEGER NOT NULL,
                account_id TEXT NOT NULL,
                region TEXT NOT NULL,
                invocations REAL NOT NULL,
                errors REAL NOT NULL,
                throttles REAL NOT NULL,
                cold_starts REAL NOT NULL,
                duration_weighted REAL NOT NULL,
                duration_weight REAL NOT NULL,
                concurrency REAL,
                PRIMARY KEY (hour, account_id, region)) WITHOUT ROWID;

            -- rollup_watermark: minutes before it exist only as hours; writes to them are ignored, so a minute is
            -- never counted in both tables.
            CREATE TABLE store_state (
                key TEXT PRIMARY KEY,
                value INTEGER NOT NULL);
            """),
        new(3, "service graph windows", """
            -- One row per account, region and collection window; nodes and edges as JSON, summed when read.
            CREATE TABLE service_graph (
                account_id TEXT NOT NULL,
                region TEXT NOT NULL,
                start_ms INTEGER NOT NULL,
                end_ms INTEGER NOT NULL,
                nodes TEXT NOT NULL,
                edges TEXT NOT NULL,
                PRIMARY KEY (account_id, region, start_ms)) WITHOUT ROWID;
            CREATE INDEX service_graph_start ON service_graph (start_ms);
            """),
        new(4, "dead-letter errors and dropped async events per minute, hour and fleet aggregate", """
            -- Nullable per function (unknown for minutes stored before they were collected); plain sums in the fleet
            -- aggregates, which hold sums only.
            ALTER TABLE metric_minute ADD COLUMN dead_letter_errors REAL;
            ALTER TABLE metric_minute ADD COLUMN async_events_dropped REAL;
            ALTER TABLE metric_hour ADD COLUMN dead_letter_errors REAL;
            ALTER TABLE metric_hour ADD COLUMN async_events_dropped REAL;
            ALTER TABLE fleet_minute ADD COLUMN dead_letter_errors REAL NOT NULL DEFAULT 0;
            ALTER TABLE fleet_minute ADD COLUMN async_events_dropped REAL NOT NULL DEFAULT 0;
            ALTER TABLE fleet_hour ADD COLUMN dead_letter_errors REAL NOT NULL DEFAULT 0;
            ALTER TABLE fleet_hour ADD COLUMN async_events_dropped REAL NOT NULL DEFAULT 0;
            """),
        new(5, "function aliases, published versions and revision id", """
            -- Existing rows read as "no aliases, no versions, revision unknown"; the next inventory pass re-reads
            -- them, because the revision Lambda lists differs from the unknown one stored.
            ALTER TABLE function_inventory ADD COLUMN aliases TEXT NOT NULL DEFAULT '[]';
            ALTER TABLE function_inventory ADD COLUMN published_versions TEXT NOT NULL DEFAULT '[]';
            ALTER TABLE function_inventory ADD COLUMN revision_id TEXT;
            """),
        new(6, "collector status and API usage", """
            -- One row per collector and target, replaced after every pass.
            CREATE TABLE collector_status (
                collector TEXT NOT NULL,
                account_id TEXT NOT NULL,
                region TEXT NOT NULL,
                last_start INTEGER,
                last_success INTEGER,
                last_duration_ms INTEGER,
                consecutive_failures INTEGER NOT NULL,
                last_error TEXT,
                last_failure INTEGER,
                instance TEXT NOT NULL,
                updated_at INTEGER NOT NULL,
                PRIMARY KEY (collector, account_id, region)) WITHOUT ROWID;

            -- Each process's running totals per UTC day (Unix day number) and API; readers sum over instances.
            CREATE TABLE api_usage (
                day INTEGER NOT NULL,
                account_id TEXT NOT NULL,
                region TEXT NOT NULL,
                service TEXT NOT NULL,
                operation TEXT NOT NULL,
                instance TEXT NOT NULL,
                calls INTEGER NOT NULL,
                attempts INTEGER NOT NULL,
                throttled INTEGER NOT NULL,
                failed INTEGER NOT NULL,
                metrics INTEGER NOT NULL,
                cost_usd REAL NOT NULL,
                updated_at INTEGER NOT NULL,
                PRIMARY KEY (day, account_id, region, service, operation, instance)) WITHOUT ROWID;
            """),
        new(7, "degraded collector passes and skipped rows", """
            -- Existing rows read as "clean, nothing skipped" until their next pass.
            ALTER TABLE collector_status ADD COLUMN last_warning TEXT;
            ALTER TABLE collector_status ADD COLUMN consecutive_degraded INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE collector_status ADD COLUMN last_skipped TEXT NOT NULL DEFAULT '{}';
            ALTER TABLE collector_status ADD COLUMN total_skipped TEXT NOT NULL DEFAULT '{}';
            """),
        new(8, "API usage: billed calls whose quantity AWS did not report", """
            -- Existing rows priced GetMetricData alone, whose quantity was always known: none was unpriced.
            ALTER TABLE api_usage ADD COLUMN unpriced INTEGER NOT NULL DEFAULT 0;
            """),
        new(9, "invocations whose error count was not read, per fleet minute and hour", """
            -- A function-minute with invocations and no error count (the Errors query failed) makes the fleet's
            -- error total unknown rather than lower: the aggregate counts those invocations so the Overview can say so.
            ALTER TABLE fleet_minute ADD COLUMN unread_error_invocations REAL NOT NULL DEFAULT 0;
            ALTER TABLE fleet_hour ADD COLUMN unread_error_invocations REAL NOT NULL DEFAULT 0;
            UPDATE fleet_minute SET unread_error_invocations = u.invocations
            FROM (SELECT m.minute, f.account_id, f.region, SUM(m.invocations) AS invocations
                  FROM metric_minute m JOIN fn f ON f.id = m.fid
                  WHERE m.errors IS NULL AND m.invocations > 0
                  GROUP BY m.minute, f.account_id, f.region) u
            WHERE fleet_minute.minute = u.minute AND fleet_minute.account_id = u.account_id AND fleet_minute.region = u.region;
            """),
        new(10, "collector status: the pass timeout and account name the collecting process ran with", """
            -- Rows written before this version leave both unknown (NULL) until their next pass records them.
            ALTER TABLE collector_status ADD COLUMN pass_timeout_ms INTEGER;
            ALTER TABLE collector_status ADD COLUMN account_name TEXT;
            """),
        new(11, "fleet pages: last invocation per function, watched functions, deploy markers", """
            -- The start (Unix ms) of the last minute or rolled-up hour each function had invocations, kept by every
            -- metrics write: "unused for 30 days" is then one row per function instead of a scan of every minute.
            CREATE TABLE function_activity (
                fid INTEGER PRIMARY KEY,
                last_invocation INTEGER NOT NULL);
            INSERT INTO function_activity (fid, last_invocation)
            SELECT fid, MAX(t) FROM (
                SELECT fid, CAST(MAX(minute) AS bigint) * 60000 AS t FROM metric_minute WHERE invocations > 0 GROUP BY fid
                UNION ALL
                SELECT fid, CAST(MAX(hour) AS bigint) * 3600000 AS t FROM metric_hour WHERE invocations > 0 GROUP BY fid) a
            GROUP BY fid;

            -- Functions an open page is showing, until the page stops renewing (Unix ms).
            CREATE TABLE watched_function (
                fid INTEGER PRIMARY KEY,
                until_ms INTEGER NOT NULL);

            -- Deploy markers: changes the inventory collector saw.
            CREATE TABLE function_change (
                fid INTEGER NOT NULL,
                ts INTEGER NOT NULL,
                kind TEXT NOT NULL,
                description TEXT NOT NULL,
                PRIMARY KEY (fid, ts, kind));
            CREATE INDEX function_change_ts ON function_change (ts);
            """),
        new(12, "Lambda Insights figures per function-minute and hour", """
            -- Read only for functions with the Lambda Insights extension; every other row, and every row stored before
            -- this version, leaves them unknown (NULL), never zero. Not in the fleet aggregate: they are per function.
            ALTER TABLE metric_minute ADD COLUMN insights_memory_utilization REAL;
            ALTER TABLE metric_minute ADD COLUMN insights_used_memory REAL;
            ALTER TABLE metric_minute ADD COLUMN insights_cpu_time REAL;
            ALTER TABLE metric_minute ADD COLUMN insights_network REAL;
            ALTER TABLE metric_minute ADD COLUMN insights_init_duration REAL;
            ALTER TABLE metric_hour ADD COLUMN insights_memory_utilization REAL;
            ALTER TABLE metric_hour ADD COLUMN insights_used_memory REAL;
            ALTER TABLE metric_hour ADD COLUMN insights_cpu_time REAL;
            ALTER TABLE metric_hour ADD COLUMN insights_network REAL;
            ALTER TABLE metric_hour ADD COLUMN insights_init_duration REAL;
            """),
        new(13, "Composite alarms' rules", """
            -- The alarms a composite combines, as its rule names them; NULL for metric alarms and for composites
            -- stored before this version until the alarms collector's next pass.
            ALTER TABLE alarm ADD COLUMN alarm_rule TEXT;
            """),
        new(14, "traces by function: the trace_function index table, filled for stored traces", """
            -- One row per function a trace passes through (the trace's functions JSON), so a search by function reads
            -- that function's traces in the range by the primary key instead of parsing every trace's JSON.
            CREATE TABLE trace_function (
                fid INTEGER NOT NULL,
                start_ms INTEGER NOT NULL,
                trace_id TEXT NOT NULL,
                PRIMARY KEY (fid, start_ms, trace_id)) WITHOUT ROWID;
            CREATE INDEX trace_function_trace ON trace_function (trace_id);
            CREATE INDEX trace_duration ON trace (duration_ms);

            -- Traces stored before this version: a function named only by a trace gets its dimension row here.
            INSERT INTO fn (account_id, region, name)
            SELECT DISTINCT json_extract(j.value, '$.accountId'), json_extract(j.value, '$.region'), json_extract(j.value, '$.name')
            FROM trace t, json_each(t.functions) j
            WHERE true
            ON CONFLICT (account_id, region, name) DO NOTHING;
            INSERT OR IGNORE INTO trace_function (fid, start_ms, trace_id)
            SELECT f.id, t.start_ms, t.trace_id
            FROM trace t, json_each(t.functions) j
            JOIN fn f ON f.account_id = json_extract(j.value, '$.accountId') AND f.region = json_extract(j.value, '$.region')
                AND f.name = json_extract(j.value, '$.name');
            """),
        new(15, "error groups: triage status and its history", """
            -- A fingerprint's status across every function's group; no row means active and never triaged.
            CREATE TABLE error_status (
                fingerprint TEXT PRIMARY KEY,
                status TEXT NOT NULL,
                regression INTEGER NOT NULL,
                changed_by TEXT NOT NULL,
                changed_at INTEGER NOT NULL) WITHOUT ROWID;

            -- Every change, by a person or by the store re-opening a resolved group that occurred again.
            CREATE TABLE error_status_change (
                id INTEGER PRIMARY KEY,
                fingerprint TEXT NOT NULL,
                ts INTEGER NOT NULL,
                from_status TEXT NOT NULL,
                to_status TEXT NOT NULL,
                actor TEXT NOT NULL,
                regression INTEGER NOT NULL);
            CREATE INDEX error_status_change_fingerprint ON error_status_change (fingerprint, ts);

            -- The Errors page reads a fingerprint's groups across functions.
            CREATE INDEX error_group_fingerprint ON error_group (fingerprint);
            """),
        new(16, "cold starts: init events with their initialisation type", """
            -- One row per platform.initReport (JSON log format): how an execution environment was initialised
            -- (on-demand, provisioned-concurrency, snap-start), how long it took and how it ended. The text log format
            -- has no such record, so a function without rows here has cold starts of unknown type, never on-demand.
            -- Keyed by the event's content: a replayed pass (or the other read mode) writes the same row again.
            CREATE TABLE init_event (
                fid INTEGER NOT NULL,
                ts INTEGER NOT NULL,
                init_type TEXT NOT NULL,
                duration_ms REAL NOT NULL,
                status TEXT NOT NULL,
                PRIMARY KEY (fid, ts, init_type, duration_ms)) WITHOUT ROWID;
            CREATE INDEX init_event_ts ON init_event (ts);
            """),
        new(17, "alerting: rule documents, instance lifecycle fields, transitions, the notification outbox, the delivery log, leases", """
            ALTER TABLE alert_rule ADD COLUMN description TEXT NOT NULL DEFAULT '';
            ALTER TABLE alert_rule ADD COLUMN document TEXT NOT NULL DEFAULT '';
            ALTER TABLE alert_rule ADD COLUMN keep_firing_ms INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE alert_rule ADD COLUMN updated_by TEXT NOT NULL DEFAULT '';

            ALTER TABLE alert_instance ADD COLUMN summary TEXT NOT NULL DEFAULT '';
            ALTER TABLE alert_instance ADD COLUMN severity TEXT NOT NULL DEFAULT 'warning';
            ALTER TABLE alert_instance ADD COLUMN fired_at INTEGER;
            ALTER TABLE alert_instance ADD COLUMN last_active_at INTEGER;
            ALTER TABLE alert_instance ADD COLUMN unknown_since INTEGER;
            ALTER TABLE alert_instance ADD COLUMN acknowledged_by TEXT;
            ALTER TABLE alert_instance ADD COLUMN acknowledged_at INTEGER;
            -- An instance stored before this version takes its rule's severity, the one it was raised with.
            UPDATE alert_instance SET severity = (SELECT r.severity FROM alert_rule r WHERE r.id = alert_instance.rule_id)
            WHERE EXISTS (SELECT 1 FROM alert_rule r WHERE r.id = alert_instance.rule_id);

            ALTER TABLE silence ADD COLUMN expired_by TEXT;

            -- The outbox: a notification carries its rendered message and is due at next_attempt_at.
            ALTER TABLE notification ADD COLUMN kind TEXT NOT NULL DEFAULT 'firing';
            ALTER TABLE notification ADD COLUMN payload TEXT NOT NULL DEFAULT '';
            ALTER TABLE notification ADD COLUMN dedup_key TEXT NOT NULL DEFAULT '';
            ALTER TABLE notification ADD COLUMN next_attempt_at INTEGER NOT NULL DEFAULT 0;
            UPDATE notification SET next_attempt_at = created_at;
            -- No build before this version sent anything, and a queued record has no message to send: it is shown as
            -- failed with the reason rather than sent empty or left queued for ever.
            UPDATE notification SET status = 'failed', last_error = 'queued before schema version 17, without a message; not sent'
            WHERE status IN ('pending', 'sending');
            -- What the senders poll: a channel's queued and in-flight records by due time.
            CREATE INDEX notification_due ON notification (channel_id, next_attempt_at) WHERE status IN ('pending', 'sending');

            -- An alert instance's history: status changes from the evaluator, acknowledgements by people.
            CREATE TABLE alert_transition (
                id INTEGER PRIMARY KEY,
                rule_id TEXT NOT NULL,
                labels_key TEXT NOT NULL,
                ts INTEGER NOT NULL,
                from_status TEXT,
                to_status TEXT NOT NULL,
                value REAL,
                summary TEXT NOT NULL,
                actor TEXT);
            -- Unique by content, so a replayed evaluation commit records each change once.
            CREATE UNIQUE INDEX alert_transition_instance
                ON alert_transition (rule_id, labels_key, ts, to_status, (COALESCE(from_status, '')), (COALESCE(actor, '')));
            CREATE INDEX alert_transition_ts ON alert_transition (ts);

            -- The delivery log: one row per attempt, written in flight before the send and finished after it.
            CREATE TABLE delivery_attempt (
                notification_id TEXT NOT NULL,
                attempt INTEGER NOT NULL,
                channel_id TEXT NOT NULL,
                started_at INTEGER NOT NULL,
                finished_at INTEGER,
                outcome TEXT NOT NULL,
                status_code INTEGER,
                error TEXT,
                PRIMARY KEY (notification_id, attempt)) WITHOUT ROWID;
            CREATE INDEX delivery_attempt_channel ON delivery_attempt (channel_id, started_at);
            CREATE INDEX delivery_attempt_started ON delivery_attempt (started_at);

            -- Leases with fencing tokens; a row is never deleted, so a name's token only grows.
            CREATE TABLE lease (
                name TEXT PRIMARY KEY,
                holder TEXT NOT NULL,
                token INTEGER NOT NULL,
                acquired_at INTEGER NOT NULL,
                expires_at INTEGER NOT NULL) WITHOUT ROWID;
            """),
        new(18, "error windows by group and last sighting, for the Errors page over long ranges", """
            -- The Errors page sums each group's windows in a range before joining groups and functions (issue 12): this
            -- index holds every column that needs (the primary key's first_seen rides along), so a range is read from
            -- it alone, and a group's recent windows are a seek rather than all of its windows.
            CREATE INDEX error_window_group_last ON error_window (group_id, last_seen, count);
            """),
        new(19, "the audit log of dashboard changes, and the Data Protection key ring shared by replicas", """
            -- One row per change made through the dashboard (issue 14): who, what, when, before and after as JSON with
            -- secrets masked. Pruned with the alerting history; the id orders entries written in the same millisecond.
            CREATE TABLE audit_entry (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                at INTEGER NOT NULL,
                actor TEXT NOT NULL,
                action TEXT NOT NULL,
                target TEXT NOT NULL,
                before_json TEXT,
                after_json TEXT);
            CREATE INDEX audit_entry_at ON audit_entry (at);

            -- ASP.NET Core Data Protection's key ring (XML elements by friendly name), so every replica reads the
            -- cookies and anti-forgery tokens another issued, and a restart keeps them. Keys expire; never deleted here.
            CREATE TABLE data_protection_key (
                name TEXT PRIMARY KEY,
                xml TEXT NOT NULL,
                stored_at INTEGER NOT NULL) WITHOUT ROWID;
            """),
        new(20, "API keys for machine access", """
            -- Named API keys (issue 14). A secret is stored only as its SHA-256 hash (hex); the secondary is a rotation's
            -- old secret, working until it is retired. Revoking empties both and keeps the row, so the page still says
            -- who revoked what. Names are unique among working keys only: a revoked key's name may be used again.
            CREATE TABLE api_key (
                id TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                role TEXT NOT NULL,
                primary_hash TEXT NOT NULL,
                secondary_hash TEXT,
                created_at INTEGER NOT NULL,
                created_by TEXT NOT NULL,
                rotated_at INTEGER,
                last_used_at INTEGER,
                revoked_at INTEGER,
                revoked_by TEXT) WITHOUT ROWID;
            CREATE UNIQUE INDEX api_key_working_name ON api_key (name) WHERE revoked_at IS NULL;
            """),
        new(21, "occurrences per error group and UTC day, for the Errors page over long ranges", """
            -- Each group's occurrences per UTC day (the day of a window's last sighting), kept by the writer of
            -- error_window in the same transaction (issue 12). A range of days reads one row per group and day, and windows
            -- only for its partial first day and past its end: a logs collector writes a window per group and pass, so a
            -- chronic error has a thousand windows a day.
            CREATE TABLE error_day (
                group_id INTEGER NOT NULL,
                day INTEGER NOT NULL,
                count INTEGER NOT NULL,
                PRIMARY KEY (group_id, day)) WITHOUT ROWID;
            INSERT INTO error_day (group_id, day, count)
            SELECT group_id, last_seen / 86400000, SUM(count) FROM error_window GROUP BY group_id, last_seen / 86400000;
            """),
        new(22, "error groups' fingerprint index with their sightings, read without the table by the Errors list", """
            -- The Errors list reads a page's fingerprints' groups for their first and last sighting and latest sample, and
            -- sorts by a sighting: with the sightings in the index those reads skip the table's long rows (messages,
            -- stack traces). Every lookup by fingerprint alone uses its first column as before.
            DROP INDEX error_group_fingerprint;
            CREATE INDEX error_group_fingerprint ON error_group (fingerprint, last_seen, first_seen, fid);
            """),
    ];
}
