-- The on-call load report counts the pages of a time range, of every user at once.
CREATE INDEX oncall_page_requested ON oncall_page (requested_at);
