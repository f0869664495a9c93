-- A token limited to chosen teams acts only on their services. The flag, not the rows, says that it
-- is limited: a token whose last team was deleted must act on nothing, not on everything.
ALTER TABLE directory_api_token ADD COLUMN team_limited BOOLEAN DEFAULT FALSE NOT NULL;

CREATE TABLE directory_api_token_team (
    token_id UUID NOT NULL REFERENCES directory_api_token (id) ON DELETE CASCADE,
    team_id  UUID NOT NULL REFERENCES directory_team (id) ON DELETE CASCADE,
    PRIMARY KEY (token_id, team_id)
);
