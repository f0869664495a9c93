package io.tocsin.platform;

import java.util.Optional;

/** The latest {@link DatabaseUpkeepReport}, for the admin page; empty on the embedded database. */
public interface DatabaseUpkeep {

  Optional<DatabaseUpkeepReport> latest();
}
