-- A publication whose listener failed the same way again and again was handed to it forever: an
-- alert name too long for an index once made correlation fail 53 times in 40 minutes, and nobody
-- was told. Failures are counted, retried with a growing wait, and after
-- tocsin.events.max-attempts the publication is dead: kept, never retried by itself, listed for an
-- admin to retry or discard, and counted in tocsin_event_publications_dead.
ALTER TABLE platform_event_publication DROP CONSTRAINT platform_event_publication_status_check;
ALTER TABLE platform_event_publication ADD CONSTRAINT platform_event_publication_status_check
    CHECK (status IN ('published', 'processing', 'failed', 'resubmitted', 'dead'));
-- Listener failures only: a publication whose node died or whose listener hangs is delivered
-- again without counting against it.
ALTER TABLE platform_event_publication ADD COLUMN failures INTEGER DEFAULT 0 NOT NULL;
ALTER TABLE platform_event_publication ADD COLUMN first_failed_at TIMESTAMP WITH TIME ZONE;
ALTER TABLE platform_event_publication ADD COLUMN last_failed_at TIMESTAMP WITH TIME ZONE;
-- A failed publication waits until then before it is handed to its listener again.
ALTER TABLE platform_event_publication ADD COLUMN next_attempt_at TIMESTAMP WITH TIME ZONE;
ALTER TABLE platform_event_publication ADD COLUMN last_error TEXT;
ALTER TABLE platform_event_publication ADD COLUMN dead_at TIMESTAMP WITH TIME ZONE;
