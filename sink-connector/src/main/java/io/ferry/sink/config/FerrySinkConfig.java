package io.ferry.sink.config;

import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.Width;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;

import java.util.Map;

/** The Ferry sink's one ConfigDef: every option documented, defaulted, validated and grouped. */
public final class FerrySinkConfig extends AbstractConfig {

    public static final String CONNECTION_GROUP = "Connection";
    public static final String TARGET_GROUP = "Target tables";
    public static final String WRITE_GROUP = "Writing";
    public static final String RETRY_GROUP = "Retries";

    public static final String CONNECTION_URL_CONFIG = "connection.url";
    private static final String CONNECTION_URL_DOC = "JDBC URL of the target PostgreSQL database, e.g. "
            + "jdbc:postgresql://pg:5432/app. Credentials belong in connection.user and connection.password, not here.";

    public static final String CONNECTION_USER_CONFIG = "connection.user";
    private static final String CONNECTION_USER_DOC = "PostgreSQL role the sink logs in as. It needs CREATE on the "
            + "target schema and on the database (for the state schema); no superuser rights are used.";

    public static final String CONNECTION_PASSWORD_CONFIG = "connection.password";
    private static final String CONNECTION_PASSWORD_DOC = "Password of connection.user. Never logged.";

    public static final String TARGET_SCHEMA_CONFIG = "target.schema";
    public static final String TARGET_SCHEMA_DEFAULT = "public";
    private static final String TARGET_SCHEMA_DOC = "PostgreSQL schema that holds the target tables; created if missing.";

    public static final String TABLE_NAME_FORMAT_CONFIG = "table.name.format";
    public static final String TABLE_NAME_FORMAT_DEFAULT = "${table}";
    private static final String TABLE_NAME_FORMAT_DOC = "How a record's target table is named. Placeholders: "
            + "${table} (the source table: the envelope's source.table, else the topic's last dot-separated part), "
            + "${db} (source.db, else the topic's second-last part), ${topic} (the whole topic name). "
            + "The result is used as one quoted identifier, so case, reserved words and unicode are kept.";

    public static final String DESIGN_GROUP = "Target design";
    public static final String EVENTS_GROUP = "Events";
    public static final String TRANSACTIONS_GROUP = "Transactions";

    public static final String FOREIGN_KEYS_CONFIG = "foreign.keys";
    private static final String FOREIGN_KEYS_DOC = "Foreign keys of the target design, comma-separated, each "
            + "child(column,...)->parent(column,...) optionally followed by ON DELETE CASCADE|SET NULL|RESTRICT|NO ACTION, "
            + "e.g. film_actor(film_id)->film(film_id). Each is built after both tables are loaded (NOT VALID, then "
            + "VALIDATE). In CDC, a row the key refuses for now (its parent is still on its way) is parked in the state "
            + "schema and applied again after every flush, never dropped.";

    public static final String TARGET_DDL_CONFIG = "target.ddl";
    private static final String TARGET_DDL_DOC = "The target design as PostgreSQL DDL you wrote: unqualified CREATE TABLE "
            + "statements with their keys, checks, foreign keys, and CREATE INDEX statements; usually read from a file on "
            + "the workers with Kafka's DirectoryConfigProvider, e.g. ${directory:/etc/ferry:target.sql}. PostgreSQL "
            + "parses it (in a scratch schema, rolled back; checked at validate). The tables are created in target.schema "
            + "bare, with columns and primary key only, for the full load; indexes and unique, check and foreign-key "
            + "constraints are built after it (checks and foreign keys NOT VALID, then VALIDATE). Source columns a "
            + "designed table lacks are not written; designed columns the source lacks take their defaults. Tables "
            + "not in the DDL are created from the records as usual.";

    public static final String BIGINT_KEYS_CONFIG = "bigint.keys";
    private static final String BIGINT_KEYS_DOC = "Columns of the target design whose values are 64-bit ids from Ferry's "
            + "key registry (a table in the state schema mapping each natural key to an id allocated on first sight, by "
            + "the parent's row or by a child's reference, whichever comes first). Comma-separated, each "
            + "table.column=owner(column+column...). With owner = the table itself, the column becomes the table's "
            + "one-column primary key, computed from its natural-key columns, e.g. film_actor.id=film_actor(actor_id+film_id). "
            + "With owner = another table it is a reference holding that table's id, computed from this row's columns "
            + "that hold the owner's natural key in the same order, NULL when any is NULL, e.g. "
            + "comment.post_id=post(blog+slug). Every referenced table needs its own key declared here. Use "
            + "foreign.keys to make references real constraints, e.g. comment(post_id)->post(id).";

    public static final String STATE_SCHEMA_CONFIG = "state.schema";
    public static final String STATE_SCHEMA_DEFAULT = "ferry";
    private static final String STATE_SCHEMA_DOC = "PostgreSQL schema for Ferry's own tables: Kafka offsets written in "
            + "the same transaction as the rows, per-table phases and statistics. Several sinks may share it; rows are "
            + "keyed by connector name.";

    public static final String TABLE_AUTO_CREATE_CONFIG = "table.auto.create";
    private static final String TABLE_AUTO_CREATE_DOC = "Create a missing target table from the record schema (types "
            + "from Ferry's type registry, primary key from the record key). When false, a record for a missing "
            + "table is a bad record (see errors.tolerance).";

    public static final String TABLE_AUTO_EVOLVE_CONFIG = "table.auto.evolve";
    private static final String TABLE_AUTO_EVOLVE_DOC = "Add a column that appears in the records but not in the "
            + "target table (ALTER TABLE ... ADD COLUMN, nullable). Columns are never dropped or re-typed automatically.";

    public static final String TINYINT1_AS_BOOLEAN_CONFIG = "tinyint1.as.boolean";
    private static final String TINYINT1_AS_BOOLEAN_DOC = "Create MySQL TINYINT(1) columns as boolean. Decided from the "
            + "propagated source column type (column.propagate.source.type on the source), so the snapshot and the "
            + "binlog stream land the same way.";

    public static final String ENUM_MODE_CONFIG = "enum.mode";
    private static final String ENUM_MODE_DOC = "How MySQL ENUM columns land (allowed values from Debezium's schema; the "
            + "empty string MySQL stores for invalid values is always allowed). check: text with a CHECK of the allowed "
            + "values, replaced NOT VALID when the source's ENUM changes. type: a PostgreSQL enum type per column "
            + "(<table>_<column>, values in the source's order, so ORDER BY sorts as in MySQL); values added at the "
            + "source are added to the type, values removed stay (PostgreSQL cannot remove them). text: plain text.";

    public static final String GEOMETRY_FORMAT_CONFIG = "geometry.format";
    private static final String GEOMETRY_FORMAT_DOC = "How MySQL GEOMETRY/POINT/... columns land. auto: PostGIS "
            + "geometry (with the SRID) when the postgis extension is installed in the target database, else wkb. "
            + "postgis: geometry, and the task refuses to start without the extension. wkb: bytea holding the OGC "
            + "well-known binary. wkt: text, well-known text (EWKT with SRID=n; when the SRID is not 0). A target column "
            + "you created yourself decides by its own type (bytea, text, geometry).";

    public static final String JSON_COLUMNS_CONFIG = "json.columns";
    private static final String JSON_COLUMNS_DOC = "Columns created as jsonb although their records carry plain "
            + "strings, comma-separated, each table.column. MariaDB stores JSON as LONGTEXT, so Debezium's MariaDB "
            + "connector cannot tell a JSON column from text; MySQL's JSON type (io.debezium.data.Json) becomes jsonb "
            + "without this. A value that is not valid JSON is a bad record.";

    public static final String COLUMN_DROP_POLICY_CONFIG = "column.drop.policy";
    private static final String COLUMN_DROP_POLICY_DOC = "What a column dropped at the source during CDC (seen in earlier "
            + "records, gone from the new schema) does to the target: keep (the column stays, its NOT NULL is dropped so "
            + "new rows land with NULL) or drop (ALTER TABLE ... DROP COLUMN). Needs table.auto.evolve.";

    public static final String COLUMN_ADD_POLICY_CONFIG = "column.add.policy";
    private static final String COLUMN_ADD_POLICY_DOC = "What a column added at the source during CDC (ALTER TABLE ... "
            + "ADD COLUMN) does to a target table that lacks it, including a table of target.ddl: a designed table leaves "
            + "out the source columns it lacked when it first met the source (recorded in the state table "
            + "design_columns), and follows this policy for the ones that came later. add: ALTER TABLE ... ADD COLUMN, "
            + "nullable, with the source's default (needs table.auto.evolve), logged with the DDL. ignore: the column's "
            + "values are not written; logged once per table and column at WARN with the ALTER TABLE to run, and every "
            + "row carrying a value is counted in table_stats.ignored_values. stop: the table stops as for "
            + "unsafe.change.policy=stop, with the ALTER TABLE to run, and resumes by itself once the column exists.";

    public static final String UNSAFE_CHANGE_POLICY_CONFIG = "unsafe.change.policy";
    private static final String UNSAFE_CHANGE_POLICY_DOC = "What a source type change during CDC that Ferry will not "
            + "apply by itself (stored values could change, e.g. INT to VARCHAR, DECIMAL(10,4) to DECIMAL(12,2)) does. "
            + "stop: that table stops (its topic-partitions are paused, nothing of it is written or skipped), the error "
            + "log and the state table stopped_tables say which ALTER TABLE to run, the other tables keep flowing, and "
            + "the table resumes by itself once the target column's type has changed. continue: the table keeps "
            + "flowing, the DDL is logged once, and values the target column cannot hold are bad records "
            + "(errors.tolerance / dead-letter queue). Safe changes (widening) are applied in either case.";

    public static final String COPY_ENABLED_CONFIG = "snapshot.copy.enabled";
    private static final String COPY_ENABLED_DOC = "Write snapshot rows (op=r) with COPY. When a COPY meets a row that "
            + "is already there (a re-run snapshot), that batch is applied again as upserts, so nothing is doubled.";

    public static final String COPY_OVERLAP_CONFIG = "snapshot.write.overlap";
    private static final String COPY_OVERLAP_DOC = "Write a batch of snapshot rows on a thread of the task's own while "
            + "the task polls, converts and decodes the next batch, so PostgreSQL's COPY and commit overlap Connect's "
            + "work instead of taking turns with it. Each batch is still one PostgreSQL transaction with its offsets and "
            + "at most one is in flight; a batch that fails there is read again from the offsets PostgreSQL committed "
            + "and written on the task thread (retries, bad records, stopped tables as without this option). Batches "
            + "with changes, reloads or bad records are always written on the task thread.";

    public static final String COPY_SPAN_BYTES_CONFIG = "snapshot.copy.span.bytes";
    private static final String COPY_SPAN_BYTES_DOC = "With snapshot.write.overlap, keep one COPY (binary or text, as "
            + "snapshot.copy.format and the columns allow) into a table open across consecutive batches of its snapshot rows, on a connection of its own, "
            + "until it has sent this many bytes (or snapshot.copy.span.ms passed, or a batch of anything else "
            + "arrives); then its offsets and statistics are written and it commits, all in one PostgreSQL transaction."
            + " Why: PostgreSQL gives every COPY a new 16 MB ring of buffers; a COPY smaller than that (one batch of "
            + "5,000 rows is about 1.3 MB) takes a fresh shared buffer for every page instead, which cost it about half"
            + " as much CPU again as one long COPY of the same rows (pg_stat_io, docs/bench). Offsets stay in the "
            + "transaction of their rows, and Kafka's committed offsets never pass what PostgreSQL committed: a COPY "
            + "that fails is rolled back whole and its batches are read again from the offsets PostgreSQL has, as for a"
            + " failed background batch. 0 turns it off (one COPY per batch).";
    public static final String COPY_SPAN_MS_CONFIG = "snapshot.copy.span.ms";
    private static final String COPY_SPAN_MS_DOC = "The longest a COPY spanning batches (snapshot.copy.span.bytes) stays "
            + "open before it commits: how far the rows PostgreSQL shows, and its stored offsets, may lag what the task "
            + "has been given.";

    public static final String COPY_FORMAT_CONFIG = "snapshot.copy.format";
    private static final String COPY_FORMAT_DOC = "The COPY format of snapshot rows. binary: PostgreSQL's binary format "
            + "for a table whose written columns all have a plain one (smallint, integer, bigint, boolean, real, double "
            + "precision, numeric, text, varchar, char, json, jsonb, bytea, timestamp, timestamptz, date), which "
            + "PostgreSQL parses cheaper than text; other tables are written as text. Values are held to the same rules "
            + "either way: a value without an exact binary form (out of the column's range, more fractional digits than "
            + "it keeps) sends that table's rows as text from then on, so PostgreSQL judges it as before. text: always "
            + "text.";

    public static final String CHANGE_WRITE_CONFIG = "cdc.upsert.mode";
    private static final String CHANGE_WRITE_DOC = "How a batch's upserts of one table are written during CDC. "
            + "statements: one batched INSERT ... ON CONFLICT per row. copy: the rows are COPYed into a temporary table "
            + "of the target's columns and types, then one INSERT ... SELECT ... ON CONFLICT writes them all (for "
            + "groups of at least 64 rows; smaller ones use statements). Both keep the per-key reduction and the "
            + "order of the batch; a failing batch is replayed row by row with statements either way.";

    public static final String APPLY_MODE_CONFIG = "cdc.apply.mode";
    private static final String APPLY_MODE_DOC = "How changes are grouped into PostgreSQL transactions during CDC. "
            + "batch: each put() is one transaction holding whatever the consumer returned, so a reader can see part "
            + "of a source transaction while another table's topic lags. transactional: the source's transactions "
            + "(Debezium's provide.transaction.metadata=true) are assembled from every table's topic and the "
            + "transaction topic and committed whole, in source commit order; consecutive ready transactions share "
            + "one PostgreSQL transaction, none is split (except one larger than transaction.buffer.max.events, "
            + "logged). Needs tasks.max=1 and the transaction topic among the subscribed topics. Snapshot rows are "
            + "written as in batch mode.";

    public static final String TRANSACTION_TOPIC_CONFIG = "transaction.topic";
    private static final String TRANSACTION_TOPIC_DOC = "Debezium's transaction topic (<topic.prefix>.transaction) "
            + "with the BEGIN and END of every source transaction; required with cdc.apply.mode=transactional and "
            + "must be one of the subscribed topics.";

    public static final String TRANSACTION_GROUP_MAX_CONFIG = "transaction.group.max.events";
    private static final String TRANSACTION_GROUP_MAX_DOC = "Most change events of consecutive whole source "
            + "transactions committed in one PostgreSQL transaction (a single larger transaction is never split for "
            + "it).";

    public static final String TRANSACTION_BUFFER_MAX_CONFIG = "transaction.buffer.max.events";
    private static final String TRANSACTION_BUFFER_MAX_DOC = "Most change events held while their transactions are "
            + "incomplete. When the oldest transaction alone exceeds it, it is applied in pieces as its events arrive "
            + "(a WARN and the split_transactions counter say so), so memory stays bounded.";

    public static final String DELETE_ENABLED_CONFIG = "delete.enabled";
    private static final String DELETE_ENABLED_DOC = "Apply deletes (op=d) and tombstones (null value with a key) as "
            + "DELETE by primary key. When false they are counted and skipped.";

    public static final String NUL_POLICY_CONFIG = "text.nul.policy";
    public static final String NUL_POLICY_DEFAULT = "strip";
    private static final String NUL_POLICY_DOC = "PostgreSQL text cannot hold the NUL character (0x00), MySQL text can. "
            + "strip: remove it (counted per table); fail: treat the record as bad.";

    public static final String REDELIVERED_SKIP_CONFIG = "source.redelivered.skip";
    private static final String REDELIVERED_SKIP_DOC = "Debezium delivers at least once: when its task dies it reads "
            + "the binlog again from the last offset it flushed and sends change events the sink applied already, "
            + "under new Kafka offsets. true: recognise them by their source position (server_id, binlog file and "
            + "position of the transaction) and, inside the transaction at the restart point, by a fingerprint of "
            + "each applied change, and skip them, counted per table in redelivered_skipped and logged. Without it a keyless table gets such rows "
            + "twice. A new snapshot, another server_id or another binlog series starts the comparison afresh.";

    public static final String MAX_RETRIES_CONFIG = "max.retries";
    private static final String MAX_RETRIES_DOC = "How often a batch that failed for a transient reason (connection "
            + "lost, server restarting, deadlock, serialization failure) is retried before the task fails.";

    public static final String RETRY_BACKOFF_MS_CONFIG = "retry.backoff.ms";
    private static final String RETRY_BACKOFF_MS_DOC = "Wait between such retries.";

    public static final String EVENTS_WEBHOOK_URL_CONFIG = "events.webhook.url";
    private static final String EVENTS_WEBHOOK_URL_DOC = "POST every event (table loaded, constraint built or "
            + "failed, table stopped or resumed, bad records, task failed) here as JSON. Hidden like a password, "
            + "because such URLs carry a token: give it through a config provider (${env:...}). Delivery never slows "
            + "the sink, is retried with backoff, and a failed one is logged and counted. Empty: no webhook.";
    public static final String EVENTS_WEBHOOK_FORMAT_CONFIG = "events.webhook.format";
    private static final String EVENTS_WEBHOOK_FORMAT_DOC = "json: Ferry's event object (type, severity, time, "
            + "connector, task, table, summary, details); slack: a Slack incoming-webhook body ({\"text\": ...}).";
    public static final String EVENTS_TOPIC_CONFIG = "events.topic";
    private static final String EVENTS_TOPIC_DOC = "Kafka topic for the same events, as JSON keyed by connector (e.g. "
            + "<topic.prefix>.events). Needs events.bootstrap.servers; other producer settings (TLS, SASL) as "
            + "events.producer.*. Empty: no topic.";
    public static final String EVENTS_BOOTSTRAP_CONFIG = "events.bootstrap.servers";
    private static final String EVENTS_BOOTSTRAP_DOC = "Kafka bootstrap servers for events.topic.";
    public static final String EVENTS_PRODUCER_PREFIX = "events.producer.";
    public static final String EVENTS_BAD_RECORDS_INTERVAL_CONFIG = "events.bad.records.interval.ms";
    private static final String EVENTS_BAD_RECORDS_INTERVAL_DOC = "Bad records are reported per table at once for the "
            + "first, then at most once per this interval with the count since the last event and the last cause.";

    public static final String EVENTS_PARKED_ROWS_CONFIG = "events.parked.rows.threshold";
    private static final String EVENTS_PARKED_ROWS_DOC = "PARKED_BACKLOG is sent when a table has more parked rows "
            + "(rows a foreign key refused for now) than this, or its oldest is older than events.parked.age.seconds; "
            + "PARKED_CLEARED when neither holds any more. 0: no such events.";
    public static final String EVENTS_PARKED_AGE_CONFIG = "events.parked.age.seconds";
    private static final String EVENTS_PARKED_AGE_DOC = "See events.parked.rows.threshold. 0: the age alone never alerts.";
    public static final String EVENTS_LAG_MS_CONFIG = "events.lag.threshold.ms";
    private static final String EVENTS_LAG_MS_DOC = "LAG_HIGH is sent when the p99 lag (source commit to target commit) "
            + "of a table's changes in the last minute stays above this for events.lag.duration.ms; LAG_OK when it is "
            + "below again. 0: no such events.";
    public static final String EVENTS_LAG_DURATION_CONFIG = "events.lag.duration.ms";
    private static final String EVENTS_LAG_DURATION_DOC = "See events.lag.threshold.ms.";

    public enum NulPolicy { STRIP, FAIL }

    public static final ConfigDef CONFIG_DEF = configDef();

    private static ConfigDef configDef() {
        ConfigDef def = new ConfigDef();
        int order = 0;
        def.define(CONNECTION_URL_CONFIG, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new JdbcUrlValidator(),
                Importance.HIGH, CONNECTION_URL_DOC, CONNECTION_GROUP, ++order, Width.LONG, "JDBC URL");
        def.define(CONNECTION_USER_CONFIG, Type.STRING, null, Importance.HIGH, CONNECTION_USER_DOC,
                CONNECTION_GROUP, ++order, Width.MEDIUM, "User");
        def.define(CONNECTION_PASSWORD_CONFIG, Type.PASSWORD, null, Importance.HIGH, CONNECTION_PASSWORD_DOC,
                CONNECTION_GROUP, ++order, Width.MEDIUM, "Password");
        order = 0;
        def.define(TARGET_SCHEMA_CONFIG, Type.STRING, TARGET_SCHEMA_DEFAULT, new ConfigDef.NonEmptyString(),
                Importance.MEDIUM, TARGET_SCHEMA_DOC, TARGET_GROUP, ++order, Width.MEDIUM, "Target schema");
        def.define(TABLE_NAME_FORMAT_CONFIG, Type.STRING, TABLE_NAME_FORMAT_DEFAULT, new TableNameFormatValidator(),
                Importance.MEDIUM, TABLE_NAME_FORMAT_DOC, TARGET_GROUP, ++order, Width.MEDIUM, "Table name format");
        def.define(TABLE_AUTO_CREATE_CONFIG, Type.BOOLEAN, true, Importance.MEDIUM, TABLE_AUTO_CREATE_DOC,
                TARGET_GROUP, ++order, Width.SHORT, "Create tables");
        def.define(TABLE_AUTO_EVOLVE_CONFIG, Type.BOOLEAN, true, Importance.MEDIUM, TABLE_AUTO_EVOLVE_DOC,
                TARGET_GROUP, ++order, Width.SHORT, "Add columns");
        def.define(TINYINT1_AS_BOOLEAN_CONFIG, Type.BOOLEAN, true, Importance.MEDIUM, TINYINT1_AS_BOOLEAN_DOC,
                TARGET_GROUP, ++order, Width.SHORT, "TINYINT(1) as boolean");
        def.define(ENUM_MODE_CONFIG, Type.STRING, "check", ConfigDef.CaseInsensitiveValidString.in("check", "type", "text"),
                Importance.MEDIUM, ENUM_MODE_DOC, TARGET_GROUP, ++order, Width.SHORT, "ENUM columns");
        def.define(GEOMETRY_FORMAT_CONFIG, Type.STRING, "auto",
                ConfigDef.CaseInsensitiveValidString.in("auto", "postgis", "wkb", "wkt"), Importance.MEDIUM,
                GEOMETRY_FORMAT_DOC, TARGET_GROUP, ++order, Width.SHORT, "Geometry columns");
        def.define(JSON_COLUMNS_CONFIG, Type.LIST, "", new QualifiedColumnsValidator(), Importance.MEDIUM,
                JSON_COLUMNS_DOC, TARGET_GROUP, ++order, Width.LONG, "JSON columns (jsonb)");
        def.define(COLUMN_DROP_POLICY_CONFIG, Type.STRING, "keep", ConfigDef.CaseInsensitiveValidString.in("keep", "drop"),
                Importance.MEDIUM, COLUMN_DROP_POLICY_DOC, TARGET_GROUP, ++order, Width.SHORT, "Dropped columns");
        def.define(COLUMN_ADD_POLICY_CONFIG, Type.STRING, "add",
                ConfigDef.CaseInsensitiveValidString.in("add", "ignore", "stop"), Importance.MEDIUM,
                COLUMN_ADD_POLICY_DOC, TARGET_GROUP, ++order, Width.SHORT, "Added columns");
        def.define(UNSAFE_CHANGE_POLICY_CONFIG, Type.STRING, "stop",
                ConfigDef.CaseInsensitiveValidString.in("stop", "continue"), Importance.MEDIUM,
                UNSAFE_CHANGE_POLICY_DOC, TARGET_GROUP, ++order, Width.SHORT, "Unsafe type changes");
        def.define(FOREIGN_KEYS_CONFIG, Type.LIST, "", new DeclarationsValidator(ForeignKeyDeclaration::parseAll,
                "child(col,...)->parent(col,...) [ON DELETE action], ..."), Importance.MEDIUM,
                FOREIGN_KEYS_DOC, DESIGN_GROUP, 1, Width.LONG, "Foreign keys");
        def.define(TARGET_DDL_CONFIG, Type.STRING, "", Importance.MEDIUM, TARGET_DDL_DOC, DESIGN_GROUP, 3,
                Width.LONG, "Target DDL");
        def.define(BIGINT_KEYS_CONFIG, Type.LIST, "", new DeclarationsValidator(RegistryKeyDeclaration::parseAll,
                "table.column=owner(column+column...), ..."), Importance.MEDIUM,
                BIGINT_KEYS_DOC, DESIGN_GROUP, 2, Width.LONG, "Bigint keys (key registry)");
        def.define(STATE_SCHEMA_CONFIG, Type.STRING, STATE_SCHEMA_DEFAULT, new ConfigDef.NonEmptyString(),
                Importance.LOW, STATE_SCHEMA_DOC, TARGET_GROUP, ++order, Width.MEDIUM, "State schema");
        order = 0;
        def.define(COPY_ENABLED_CONFIG, Type.BOOLEAN, true, Importance.MEDIUM, COPY_ENABLED_DOC,
                WRITE_GROUP, ++order, Width.SHORT, "COPY for snapshot rows");
        def.define(COPY_OVERLAP_CONFIG, Type.BOOLEAN, true, Importance.LOW, COPY_OVERLAP_DOC,
                WRITE_GROUP, ++order, Width.SHORT, "Overlap snapshot writes");
        def.define(COPY_FORMAT_CONFIG, Type.STRING, "binary", ConfigDef.CaseInsensitiveValidString.in("binary", "text"),
                Importance.LOW, COPY_FORMAT_DOC, WRITE_GROUP, ++order, Width.SHORT, "Snapshot COPY format");
        def.define(COPY_SPAN_BYTES_CONFIG, Type.LONG, 134_217_728L, ConfigDef.Range.atLeast(0), Importance.LOW,
                COPY_SPAN_BYTES_DOC, WRITE_GROUP, ++order, Width.SHORT, "COPY span bytes");
        def.define(COPY_SPAN_MS_CONFIG, Type.LONG, 5_000L, ConfigDef.Range.atLeast(1), Importance.LOW,
                COPY_SPAN_MS_DOC, WRITE_GROUP, ++order, Width.SHORT, "COPY span time");
        def.define(CHANGE_WRITE_CONFIG, Type.STRING, "statements", ConfigDef.CaseInsensitiveValidString.in("statements", "copy"),
                Importance.LOW, CHANGE_WRITE_DOC, WRITE_GROUP, ++order, Width.SHORT, "CDC upsert mode");
        def.define(APPLY_MODE_CONFIG, Type.STRING, "batch", ConfigDef.CaseInsensitiveValidString.in("batch",
                "transactional"), Importance.MEDIUM, APPLY_MODE_DOC, TRANSACTIONS_GROUP, 1, Width.SHORT, "CDC apply mode");
        def.define(TRANSACTION_TOPIC_CONFIG, Type.STRING, "", Importance.MEDIUM, TRANSACTION_TOPIC_DOC,
                TRANSACTIONS_GROUP, 2, Width.LONG, "Transaction topic");
        def.define(TRANSACTION_GROUP_MAX_CONFIG, Type.INT, 20_000, ConfigDef.Range.atLeast(1), Importance.LOW,
                TRANSACTION_GROUP_MAX_DOC, TRANSACTIONS_GROUP, 3, Width.SHORT, "Events per commit");
        def.define(TRANSACTION_BUFFER_MAX_CONFIG, Type.INT, 100_000, ConfigDef.Range.atLeast(1), Importance.LOW,
                TRANSACTION_BUFFER_MAX_DOC, TRANSACTIONS_GROUP, 4, Width.SHORT, "Events held");
        def.define(DELETE_ENABLED_CONFIG, Type.BOOLEAN, true, Importance.MEDIUM, DELETE_ENABLED_DOC,
                WRITE_GROUP, ++order, Width.SHORT, "Apply deletes");
        def.define(NUL_POLICY_CONFIG, Type.STRING, NUL_POLICY_DEFAULT,
                ConfigDef.CaseInsensitiveValidString.in("strip", "fail"), Importance.MEDIUM, NUL_POLICY_DOC,
                WRITE_GROUP, ++order, Width.SHORT, "NUL bytes in text");
        def.define(REDELIVERED_SKIP_CONFIG, Type.BOOLEAN, true, Importance.LOW, REDELIVERED_SKIP_DOC,
                WRITE_GROUP, ++order, Width.SHORT, "Skip re-delivered changes");
        order = 0;
        def.define(EVENTS_WEBHOOK_URL_CONFIG, Type.PASSWORD, null, new WebhookUrlValidator(), Importance.MEDIUM,
                EVENTS_WEBHOOK_URL_DOC, EVENTS_GROUP, ++order, Width.LONG, "Webhook URL");
        def.define(EVENTS_WEBHOOK_FORMAT_CONFIG, Type.STRING, "json", ConfigDef.CaseInsensitiveValidString.in("json", "slack"),
                Importance.LOW, EVENTS_WEBHOOK_FORMAT_DOC, EVENTS_GROUP, ++order, Width.SHORT, "Webhook format");
        def.define(EVENTS_TOPIC_CONFIG, Type.STRING, "", Importance.MEDIUM, EVENTS_TOPIC_DOC, EVENTS_GROUP, ++order,
                Width.MEDIUM, "Events topic");
        def.define(EVENTS_BOOTSTRAP_CONFIG, Type.STRING, "", Importance.MEDIUM, EVENTS_BOOTSTRAP_DOC, EVENTS_GROUP,
                ++order, Width.LONG, "Events bootstrap servers");
        def.define(EVENTS_BAD_RECORDS_INTERVAL_CONFIG, Type.LONG, 10_000L, ConfigDef.Range.atLeast(0), Importance.LOW,
                EVENTS_BAD_RECORDS_INTERVAL_DOC, EVENTS_GROUP, ++order, Width.SHORT, "Bad-record event interval (ms)");
        def.define(EVENTS_PARKED_ROWS_CONFIG, Type.LONG, 1000L, ConfigDef.Range.atLeast(0), Importance.LOW,
                EVENTS_PARKED_ROWS_DOC, EVENTS_GROUP, ++order, Width.SHORT, "Parked-row backlog threshold");
        def.define(EVENTS_PARKED_AGE_CONFIG, Type.LONG, 600L, ConfigDef.Range.atLeast(0), Importance.LOW,
                EVENTS_PARKED_AGE_DOC, EVENTS_GROUP, ++order, Width.SHORT, "Parked-row age threshold (s)");
        def.define(EVENTS_LAG_MS_CONFIG, Type.LONG, 60_000L, ConfigDef.Range.atLeast(0), Importance.LOW,
                EVENTS_LAG_MS_DOC, EVENTS_GROUP, ++order, Width.SHORT, "Lag threshold (ms)");
        def.define(EVENTS_LAG_DURATION_CONFIG, Type.LONG, 300_000L, ConfigDef.Range.atLeast(0), Importance.LOW,
                EVENTS_LAG_DURATION_DOC, EVENTS_GROUP, ++order, Width.SHORT, "Lag duration (ms)");
        order = 0;
        def.define(MAX_RETRIES_CONFIG, Type.INT, 10, ConfigDef.Range.atLeast(0), Importance.MEDIUM,
                MAX_RETRIES_DOC, RETRY_GROUP, ++order, Width.SHORT, "Max retries");
        def.define(RETRY_BACKOFF_MS_CONFIG, Type.LONG, 3000L, ConfigDef.Range.atLeast(0), Importance.LOW,
                RETRY_BACKOFF_MS_DOC, RETRY_GROUP, ++order, Width.SHORT, "Retry backoff (ms)");
        return def;
    }

    public FerrySinkConfig(Map<?, ?> props) {
        super(CONFIG_DEF, props);
        if (!eventsTopic().isEmpty() && getString(EVENTS_BOOTSTRAP_CONFIG).isBlank()) {
            throw new ConfigException(EVENTS_BOOTSTRAP_CONFIG, "", "must be set when " + EVENTS_TOPIC_CONFIG
                    + " is (the Kafka cluster the events go to)");
        }
        String problem = transactionalProblem(props);
        if (problem != null) {
            throw new ConfigException(APPLY_MODE_CONFIG, getString(APPLY_MODE_CONFIG), problem);
        }
    }

    /**
     * What keeps cdc.apply.mode=transactional from working with these settings, or null: one task must see every
     * table's topic and the transaction topic, or no task could tell when a transaction is whole.
     */
    public static String transactionalProblem(Map<?, ?> props) {
        Object mode = props.get(APPLY_MODE_CONFIG);
        if (mode == null || !"transactional".equalsIgnoreCase(mode.toString().trim())) {
            return null;
        }
        Object tasks = props.get("tasks.max");
        if (tasks != null && !tasks.toString().isBlank() && !"1".equals(tasks.toString().trim())) {
            return "needs tasks.max=1 (one task must read every table's topic and the transaction topic), not "
                    + tasks;
        }
        Object topic = props.get(TRANSACTION_TOPIC_CONFIG);
        if (topic == null || topic.toString().isBlank()) {
            return "needs " + TRANSACTION_TOPIC_CONFIG + " (Debezium's <topic.prefix>.transaction, with "
                    + "provide.transaction.metadata=true on the source)";
        }
        String t = topic.toString().trim();
        Object regex = props.get("topics.regex");
        Object topics = props.get("topics");
        boolean subscribed = regex != null && !regex.toString().isBlank()
                ? java.util.regex.Pattern.compile(regex.toString()).matcher(t).matches()
                : topics != null && java.util.Arrays.stream(topics.toString().split(",")).map(String::trim)
                        .anyMatch(t::equals);
        return subscribed ? null : "the transaction topic " + t + " must be one of the subscribed topics (topics or "
                + "topics.regex)";
    }

    /** The webhook URL, or null. */
    public java.net.URI eventsWebhook() {
        Password p = getPassword(EVENTS_WEBHOOK_URL_CONFIG);
        return p == null || p.value().isBlank() ? null : java.net.URI.create(p.value().trim());
    }
    public boolean eventsWebhookSlack() { return getString(EVENTS_WEBHOOK_FORMAT_CONFIG).equalsIgnoreCase("slack"); }
    public String eventsTopic() { return getString(EVENTS_TOPIC_CONFIG).trim(); }
    public long badRecordEventIntervalMs() { return getLong(EVENTS_BAD_RECORDS_INTERVAL_CONFIG); }
    public long parkedRowsThreshold() { return getLong(EVENTS_PARKED_ROWS_CONFIG); }
    public long parkedAgeSeconds() { return getLong(EVENTS_PARKED_AGE_CONFIG); }
    public long lagThresholdMs() { return getLong(EVENTS_LAG_MS_CONFIG); }
    public long lagDurationMs() { return getLong(EVENTS_LAG_DURATION_CONFIG); }
    /** Producer settings for events.topic: the bootstrap servers and whatever events.producer.* adds. */
    public Map<String, Object> eventsProducer() {
        Map<String, Object> p = new java.util.HashMap<>(originalsWithPrefix(EVENTS_PRODUCER_PREFIX));
        p.put("bootstrap.servers", getString(EVENTS_BOOTSTRAP_CONFIG));
        return p;
    }

    public String connectionUrl() { return getString(CONNECTION_URL_CONFIG); }
    public String user() { return getString(CONNECTION_USER_CONFIG); }
    public Password password() { return getPassword(CONNECTION_PASSWORD_CONFIG); }
    public String targetSchema() { return getString(TARGET_SCHEMA_CONFIG); }
    public String stateSchema() { return getString(STATE_SCHEMA_CONFIG); }
    public String tableNameFormat() { return getString(TABLE_NAME_FORMAT_CONFIG); }
    public boolean autoCreate() { return getBoolean(TABLE_AUTO_CREATE_CONFIG); }
    public boolean autoEvolve() { return getBoolean(TABLE_AUTO_EVOLVE_CONFIG); }
    public boolean tinyint1AsBoolean() { return getBoolean(TINYINT1_AS_BOOLEAN_CONFIG); }
    public boolean dropColumns() { return getString(COLUMN_DROP_POLICY_CONFIG).equalsIgnoreCase("drop"); }
    public io.ferry.sink.schema.CatalogOptions.AddPolicy columnAddPolicy() {
        return io.ferry.sink.schema.CatalogOptions.AddPolicy.valueOf(
                getString(COLUMN_ADD_POLICY_CONFIG).toUpperCase(java.util.Locale.ROOT));
    }
    public boolean stopOnUnsafeChange() { return getString(UNSAFE_CHANGE_POLICY_CONFIG).equalsIgnoreCase("stop"); }
    public String geometryFormat() { return getString(GEOMETRY_FORMAT_CONFIG); }
    public java.util.Set<String> jsonColumns() { return java.util.Set.copyOf(getList(JSON_COLUMNS_CONFIG)); }
    public String enumMode() { return getString(ENUM_MODE_CONFIG); }
    public boolean copyEnabled() { return getBoolean(COPY_ENABLED_CONFIG); }
    public boolean copyOverlap() { return getBoolean(COPY_OVERLAP_CONFIG); }
    public long copySpanBytes() { return getLong(COPY_SPAN_BYTES_CONFIG); }
    public long copySpanMs() { return getLong(COPY_SPAN_MS_CONFIG); }
    public boolean binaryCopy() { return "binary".equalsIgnoreCase(getString(COPY_FORMAT_CONFIG)); }
    public boolean upsertByCopy() { return "copy".equalsIgnoreCase(getString(CHANGE_WRITE_CONFIG)); }
    public boolean transactional() { return "transactional".equalsIgnoreCase(getString(APPLY_MODE_CONFIG)); }
    public String transactionTopic() { return getString(TRANSACTION_TOPIC_CONFIG).trim(); }
    public int transactionGroupMax() { return getInt(TRANSACTION_GROUP_MAX_CONFIG); }
    public int transactionBufferMax() { return getInt(TRANSACTION_BUFFER_MAX_CONFIG); }
    public boolean deleteEnabled() { return getBoolean(DELETE_ENABLED_CONFIG); }
    public NulPolicy nulPolicy() { return NulPolicy.valueOf(getString(NUL_POLICY_CONFIG).toUpperCase(java.util.Locale.ROOT)); }
    public java.util.List<ForeignKeyDeclaration> foreignKeys() {
        return ForeignKeyDeclaration.parseAll(FOREIGN_KEYS_CONFIG, getList(FOREIGN_KEYS_CONFIG));
    }
    public String targetDdl() { return getString(TARGET_DDL_CONFIG); }
    public java.util.List<RegistryKeyDeclaration> bigintKeys() {
        return RegistryKeyDeclaration.parseAll(BIGINT_KEYS_CONFIG, getList(BIGINT_KEYS_CONFIG));
    }
    public int maxRetries() { return getInt(MAX_RETRIES_CONFIG); }
    public boolean skipRedelivered() { return getBoolean(REDELIVERED_SKIP_CONFIG); }
    public long retryBackoffMs() { return getLong(RETRY_BACKOFF_MS_CONFIG); }

    static final class JdbcUrlValidator implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            if (value == null || !value.toString().startsWith("jdbc:postgresql:")) {
                throw new ConfigException(name, value, "must be a PostgreSQL JDBC URL starting with jdbc:postgresql:");
            }
        }

        @Override
        public String toString() { return "jdbc:postgresql://host:port/database"; }
    }

    /** An http(s) URL with a host; the value itself is never printed (it may hold a token). */
    static final class WebhookUrlValidator implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            String url = value instanceof Password p ? p.value() : value == null ? null : value.toString();
            if (url == null || url.isBlank()) {
                return;
            }
            try {
                java.net.URI u = java.net.URI.create(url.trim());
                if (u.getHost() == null || !("http".equals(u.getScheme()) || "https".equals(u.getScheme()))) {
                    throw new IllegalArgumentException("not an http(s) URL with a host");
                }
            } catch (IllegalArgumentException e) {
                throw new ConfigException(name, "[hidden]", "must be an http:// or https:// URL with a host");
            }
        }

        @Override
        public String toString() { return "http(s)://host[:port]/path"; }
    }

    /** The very parser the task uses, so a bad declaration fails at validate with the property named. */
    static final class DeclarationsValidator implements ConfigDef.Validator {
        private final java.util.function.BiConsumer<String, java.util.List<String>> parser;
        private final String syntax;

        DeclarationsValidator(java.util.function.BiConsumer<String, java.util.List<String>> parser, String syntax) {
            this.parser = parser;
            this.syntax = syntax;
        }

        @Override
        @SuppressWarnings("unchecked")
        public void ensureValid(String name, Object value) {
            if (value != null) {
                parser.accept(name, (java.util.List<String>) value);
            }
        }

        @Override
        public String toString() { return syntax; }
    }

    static final class QualifiedColumnsValidator implements ConfigDef.Validator {
        @Override
        @SuppressWarnings("unchecked")
        public void ensureValid(String name, Object value) {
            for (String entry : value == null ? java.util.List.<String>of() : (java.util.List<String>) value) {
                int dot = entry.lastIndexOf('.');
                if (dot <= 0 || dot == entry.length() - 1) {
                    throw new ConfigException(name, value, "entry '" + entry + "' must be table.column");
                }
            }
        }

        @Override
        public String toString() { return "table.column, ..."; }
    }

    static final class TableNameFormatValidator implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            String format = value == null ? "" : value.toString();
            String rest = format.replace("${table}", "").replace("${db}", "").replace("${topic}", "");
            if (format.isBlank() || rest.contains("${")) {
                throw new ConfigException(name, value, "must be non-empty and use only ${table}, ${db} and ${topic}");
            }
        }

        @Override
        public String toString() { return "text with ${table}, ${db}, ${topic}"; }
    }
}
