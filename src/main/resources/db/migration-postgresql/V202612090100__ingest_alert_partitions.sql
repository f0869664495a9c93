-- Alert occurrences are partitioned by month of their time-ordered id, so that retention drops a
-- month of them in one statement instead of deleting row by row, and the month that ingestion writes
-- stays small enough to keep in memory. A partition holds the ids drawn from the first millisecond
-- of its month (platform_first_id) to the first of the next.
CREATE FUNCTION platform_first_id(at TIMESTAMP WITH TIME ZONE) RETURNS UUID
    LANGUAGE sql IMMUTABLE STRICT AS
$$ SELECT (lpad(to_hex(floor(extract(epoch FROM at) * 1000)::bigint), 12, '0')
           || '70008000000000000000')::uuid $$;

-- Months are counted in UTC whatever the session's time zone, in which timestamp arithmetic runs.
CREATE FUNCTION platform_months_after(at TIMESTAMP WITH TIME ZONE, months INTEGER)
    RETURNS TIMESTAMP WITH TIME ZONE LANGUAGE sql IMMUTABLE STRICT AS
$$ SELECT ((at AT TIME ZONE 'UTC') + make_interval(months => months)) AT TIME ZONE 'UTC' $$;

-- Makes the partition of the month that starts at month_start (UTC) unless one of that name
-- exists; Tocsin calls it for the coming months, and a history loader for past ones. Rows of that
-- month already in the default partition (written while no month took them) move into it, through
-- the table, so that its triggers see them leave and arrive. A partitioned table takes no storage
-- parameters: each partition keeps its empty pages as the hot tables do (V202612080400).
CREATE FUNCTION platform_month_partition(parent TEXT, month_start TIMESTAMP WITH TIME ZONE)
    RETURNS VOID LANGUAGE plpgsql AS
$$
DECLARE
    partition TEXT := parent || '_p' || to_char(month_start AT TIME ZONE 'UTC', 'YYYYMM');
    lower_id UUID := platform_first_id(month_start);
    upper_id UUID := platform_first_id(platform_months_after(month_start, 1));
    key_column TEXT;
    default_partition REGCLASS;
BEGIN
    IF to_regclass(partition) IS NOT NULL THEN
        RETURN;
    END IF;
    SELECT a.attname INTO key_column
    FROM pg_partitioned_table t
    JOIN pg_attribute a ON a.attrelid = t.partrelid AND a.attnum = t.partattrs[0]
    WHERE t.partrelid = parent::regclass;
    SELECT i.inhrelid INTO default_partition
    FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
    WHERE i.inhparent = parent::regclass AND pg_get_expr(c.relpartbound, c.oid) = 'DEFAULT';
    IF default_partition IS NOT NULL THEN
        EXECUTE format('CREATE TEMPORARY TABLE platform_moving ON COMMIT DROP AS'
                       ' WITH moved AS (DELETE FROM %s WHERE %I >= %L AND %I < %L RETURNING *)'
                       ' SELECT * FROM moved',
                       default_partition, key_column, lower_id, key_column, upper_id);
    END IF;
    EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)'
                   ' WITH (vacuum_truncate = false)', partition, parent, lower_id, upper_id);
    IF default_partition IS NOT NULL THEN
        EXECUTE format('INSERT INTO %I SELECT * FROM platform_moving', parent);
        DROP TABLE platform_moving;
    END IF;
END
$$;

-- Partitions a table that a migration has just replaced by a partitioned one under its name, its
-- old table renamed to <parent>_legacy. The existing rows are not copied: an upgraded database keeps
-- its old table as the partition of every id drawn before the migration, which retention drops once
-- nothing in it is kept, and a fresh one drops it. Then this month and the next two, and the default
-- partition, which takes a row whose id no month covers (a clock far ahead), so that no insert ever
-- fails for want of a month; Tocsin makes the later months ahead (MonthlyPartitions). Attaching the
-- old table reads it once to check its ids and builds the indexes it lacks, while writers wait:
-- 0.9 s for 3 million alert occurrences (1 GB, in memory) on the benchmark machine.
CREATE FUNCTION platform_partition_by_month(parent TEXT) RETURNS VOID LANGUAGE plpgsql AS
$$
DECLARE
    legacy TEXT := parent || '_legacy';
    upgraded_at TIMESTAMP WITH TIME ZONE := date_trunc('milliseconds', clock_timestamp());
    this_month TIMESTAMP WITH TIME ZONE := date_trunc('month', upgraded_at, 'UTC');
    has_rows BOOLEAN;
BEGIN
    EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I)', legacy) INTO has_rows;
    IF has_rows THEN
        EXECUTE format('ALTER TABLE %I ATTACH PARTITION %I FOR VALUES FROM (MINVALUE) TO (%L)',
                       parent, legacy, platform_first_id(upgraded_at));
        EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)'
                       ' WITH (vacuum_truncate = false)',
                       parent || '_p' || to_char(this_month AT TIME ZONE 'UTC', 'YYYYMM'), parent,
                       platform_first_id(upgraded_at),
                       platform_first_id(platform_months_after(this_month, 1)));
    ELSE
        EXECUTE format('DROP TABLE %I', legacy);
        PERFORM platform_month_partition(parent, this_month);
    END IF;
    PERFORM platform_month_partition(parent, platform_months_after(this_month, 1));
    PERFORM platform_month_partition(parent, platform_months_after(this_month, 2));
    EXECUTE format('CREATE TABLE %I PARTITION OF %I DEFAULT WITH (vacuum_truncate = false)',
                   parent || '_default', parent);
END
$$;

-- The table is replaced under its own name, so nodes of the previous release go on writing to it
-- during a rolling upgrade; its indexes and constraints keep their names on the new table.
ALTER TABLE ingest_alert RENAME TO ingest_alert_legacy;
ALTER INDEX ingest_alert_pkey RENAME TO ingest_alert_legacy_pkey;
ALTER INDEX ingest_alert_firing RENAME TO ingest_alert_legacy_firing;
ALTER INDEX ingest_alert_firing_newest RENAME TO ingest_alert_legacy_firing_newest;
ALTER TABLE ingest_alert_legacy
    RENAME CONSTRAINT ingest_alert_open_key_unique TO ingest_alert_legacy_open_key_unique;

CREATE TABLE ingest_alert (LIKE ingest_alert_legacy INCLUDING DEFAULTS INCLUDING CONSTRAINTS)
    PARTITION BY RANGE (id);
ALTER TABLE ingest_alert ADD CONSTRAINT ingest_alert_pkey PRIMARY KEY (id);
CREATE INDEX ingest_alert_firing ON ingest_alert (status, service_id);
CREATE INDEX ingest_alert_firing_newest ON ingest_alert (id) WHERE status = 'firing';
-- Each request looks its alerts up by open key; a partition whose alerts are all resolved has an
-- empty index here, so looking in every month costs next to nothing.
CREATE INDEX ingest_alert_open_key ON ingest_alert (open_key) WHERE open_key IS NOT NULL;

-- A unique constraint on a partitioned table must include the partition key, so at most one firing
-- alert per open key is kept by this table of the firing alerts' keys instead: the trigger writes
-- it in the statement that fires or resolves the alert, and two senders that fire the same alert at
-- once meet on its primary key as they met on the old constraint (a unique violation, 23505).
CREATE TABLE ingest_alert_open (
    open_key TEXT PRIMARY KEY,
    alert_id UUID NOT NULL
);
INSERT INTO ingest_alert_open (open_key, alert_id)
SELECT open_key, id FROM ingest_alert_legacy WHERE open_key IS NOT NULL;
ALTER TABLE ingest_alert_open SET (vacuum_truncate = false);

CREATE FUNCTION ingest_alert_open_keys() RETURNS TRIGGER LANGUAGE plpgsql AS
$$
BEGIN
    IF TG_OP <> 'INSERT' AND OLD.open_key IS NOT NULL
            AND (TG_OP = 'DELETE' OR NEW.open_key IS DISTINCT FROM OLD.open_key) THEN
        DELETE FROM ingest_alert_open WHERE open_key = OLD.open_key AND alert_id = OLD.id;
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.open_key IS NOT NULL
            AND (TG_OP = 'INSERT' OR NEW.open_key IS DISTINCT FROM OLD.open_key) THEN
        INSERT INTO ingest_alert_open (open_key, alert_id) VALUES (NEW.open_key, NEW.id);
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER ingest_alert_open_keys AFTER INSERT OR UPDATE OF open_key OR DELETE ON ingest_alert
    FOR EACH ROW EXECUTE FUNCTION ingest_alert_open_keys();

SELECT platform_partition_by_month('ingest_alert');
