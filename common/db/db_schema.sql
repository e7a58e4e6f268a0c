-- config.db schema of tncsuite.
--
-- Table and column names, declared types, defaults and UNIQUE constraints
-- are those of the database that strongSwan's IMVs and the strongTNC policy
-- manager use, so all three can share one file. Two deliberate differences,
-- both invisible to strongSwan: results.session references sessions(id),
-- and the references of sessions_identities cascade on delete, so that
-- strongTNC, which enables foreign-key checks, can delete policies and
-- devices. Times are epoch seconds; identities.value and
-- component_hashes.hash hold BLOBs; file_hashes.hash holds lowercase hex.

CREATE TABLE IF NOT EXISTS products (
  id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS products_name ON products (name);

CREATE TABLE IF NOT EXISTS devices (
  id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  description TEXT DEFAULT '',
  value TEXT NOT NULL,
  product INTEGER REFERENCES products(id),
  trusted INTEGER DEFAULT 0,
  created INTEGER,
  inactive INTEGER DEFAULT 0
);
CREATE INDEX IF NOT EXISTS devices_value ON devices (value);

CREATE TABLE IF NOT EXISTS identities (
  id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  type INTEGER NOT NULL,
  value BLOB NOT NULL,
  UNIQUE (type, value)
);

CREATE TABLE IF NOT EXISTS sessions (
  id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  time INTEGER NOT NULL,
  connection INTEGER NOT NULL,
  identity INTEGER DEFAULT 0 REFERENCES identities(id),
  device INTEGER DEFAULT 0 REFERENCES devices(id),
  product INTEGER DEFAULT 0 REFERENCES products(id),
  rec INTEGER DEFAULT 3
);
-- Not in strongSwan's schema: the policy manager looks sessions up by connection.
CREATE INDEX IF NOT EXISTS sessions_connection ON sessions (connection);

CREATE TABLE IF NOT EXISTS sessions_identities (
  id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
  identity_id INTEGER NOT NULL REFERENCES identities(id) ON DELETE CASCADE,
  UNIQUE (session_id, identity_id)
);

CREATE TABLE IF NOT EXISTS results (
  id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  session INTEGER NOT NULL REFERENCES sessions(id),
  policy INTEGER NOT NULL REFERENCES policies(id),
  rec INTEGER NOT NULL,
  result TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS results_session ON results (session);

CREATE TABLE IF NOT EXISTS packages (
  id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  blacklist INTEGER DEFAULT 0
);
CREATE INDEX IF NOT EXISTS packages_name ON packages (name);

CREATE TABLE IF NOT EXISTS versions (
  id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  product INTEGER NOT NULL REFERENCES products(id),
  package INTEGER NOT NULL REFERENCES packages(id),
  release TEXT,
  security INTEGER DEFAULT 0,
  blacklist INTEGER DEFAULT 0,
  time INTEGER DEFAULT 0
);
CREATE INDEX IF NOT EXISTS versions_release ON versions (release);
CREATE INDEX IF NOT EXISTS versions_package_product ON versions (package, product);

CREATE TABLE IF NOT EXISTS directories (
  id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  path TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS directories_path ON directories (path);

CREATE TABLE IF NOT EXISTS files (
  id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  dir INTEGER DEFAULT 0 REFERENCES directories(id),
  name TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS files_name ON files (name);

CREATE TABLE IF NOT EXISTS algorithms (
  id INTEGER PRIMARY KEY,
  name VARCHAR(20) NOT NULL
);

CREATE TABLE IF NOT EXISTS file_hashes (
  id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  file INTEGER NOT NULL REFERENCES files(id),
  version INTEGER REFERENCES versions(id),
  device INTEGER REFERENCES devices(id),
  size INTEGER,
  algo INTEGER NOT NULL REFERENCES algorithms(id),
  hash VARCHAR(64) NOT NULL,
  mutable INTEGER DEFAULT 0
);
CREATE INDEX IF NOT EXISTS file_hashes_idx ON file_hashes (file, version, algo);

CREATE TABLE IF NOT EXISTS components (
  id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  vendor_id INTEGER NOT NULL,
  name INTEGER NOT NULL,
  qualifier INTEGER DEFAULT 0,
  label TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS component_hashes (
  id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  component INTEGER NOT NULL REFERENCES components(id),
  key INTEGER NOT NULL REFERENCES devices(id),
  seq_no INTEGER NOT NULL,
  pcr INTEGER NOT NULL,
  algo INTEGER NOT NULL REFERENCES algorithms(id),
  hash BLOB NOT NULL
);

CREATE TABLE IF NOT EXISTS groups (
  id INTEGER NOT NULL PRIMARY KEY,
  name VARCHAR(50) NOT NULL UNIQUE,
  parent INTEGER
);

CREATE TABLE IF NOT EXISTS groups_members (
  id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  group_id INTEGER NOT NULL REFERENCES groups(id),
  device_id INTEGER NOT NULL REFERENCES devices(id),
  UNIQUE (group_id, device_id)
);

CREATE TABLE IF NOT EXISTS groups_product_defaults (
  id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  group_id INTEGER NOT NULL REFERENCES groups(id),
  product_id INTEGER NOT NULL REFERENCES products(id),
  UNIQUE (group_id, product_id)
);

CREATE TABLE IF NOT EXISTS policies (
  id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  type INTEGER NOT NULL,
  name VARCHAR(100) NOT NULL UNIQUE,
  argument TEXT DEFAULT '' NOT NULL,
  rec_fail INTEGER NOT NULL,
  rec_noresult INTEGER NOT NULL,
  file INTEGER DEFAULT 0 REFERENCES files(id),
  dir INTEGER DEFAULT 0 REFERENCES directories(id)
);

CREATE TABLE IF NOT EXISTS enforcements (
  id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  policy INTEGER NOT NULL REFERENCES policies(id),
  group_id INTEGER NOT NULL REFERENCES groups(id),
  rec_fail INTEGER,
  rec_noresult INTEGER,
  max_age INTEGER NOT NULL,
  UNIQUE (policy, group_id)
);

CREATE TABLE IF NOT EXISTS workitems (
  id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  session INTEGER NOT NULL REFERENCES sessions(id),
  enforcement INTEGER NOT NULL REFERENCES enforcements(id),
  type INTEGER NOT NULL,
  arg_str TEXT,
  arg_int INTEGER DEFAULT 0,
  rec_fail INTEGER NOT NULL,
  rec_noresult INTEGER NOT NULL,
  rec_final INTEGER,
  result TEXT
);
CREATE INDEX IF NOT EXISTS workitems_sessions ON workitems (session);

CREATE TABLE IF NOT EXISTS swid_entities (
  id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  name VARCHAR(255) NOT NULL,
  regid VARCHAR(255) NOT NULL
);
CREATE INDEX IF NOT EXISTS swid_entities_name ON swid_entities (name);
CREATE INDEX IF NOT EXISTS swid_entities_regid ON swid_entities (regid);

CREATE TABLE IF NOT EXISTS swid_entityroles (
  id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  tag_id INTEGER NOT NULL REFERENCES swid_tags(id),
  entity_id INTEGER NOT NULL,
  role SMALLINT UNSIGNED NOT NULL
);
CREATE INDEX IF NOT EXISTS swid_entityroles_tag_id ON swid_entityroles (tag_id);
CREATE INDEX IF NOT EXISTS swid_entityroles_entity_id ON swid_entityroles (entity_id);

CREATE TABLE IF NOT EXISTS swid_tags (
  id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  version_id INTEGER REFERENCES versions(id),
  package_name VARCHAR(255) NOT NULL,
  version_str VARCHAR(255) NOT NULL,
  unique_id VARCHAR(255) NOT NULL,
  swid_xml TEXT NOT NULL,
  software_id VARCHAR(255) NOT NULL
);
CREATE INDEX IF NOT EXISTS swid_tags_version_id ON swid_tags (version_id);
CREATE INDEX IF NOT EXISTS swid_tags_package_name ON swid_tags (package_name);
CREATE INDEX IF NOT EXISTS swid_tags_unique_id ON swid_tags (unique_id);
CREATE INDEX IF NOT EXISTS swid_tags_software_id ON swid_tags (software_id);

CREATE TABLE IF NOT EXISTS swid_tags_files (
  id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  tag_id INTEGER NOT NULL,
  file_id INTEGER NOT NULL REFERENCES files(id),
  UNIQUE (tag_id, file_id)
);

CREATE TABLE IF NOT EXISTS swid_tags_sessions (
  id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  tag_id INTEGER NOT NULL,
  session_id INTEGER NOT NULL REFERENCES sessions(id),
  UNIQUE (tag_id, session_id)
);

CREATE TABLE IF NOT EXISTS swid_tagstats (
  id INTEGER NOT NULL PRIMARY KEY,
  tag_id INTEGER REFERENCES swid_tags(id),
  device_id INTEGER REFERENCES devices(id),
  first_seen_id INTEGER REFERENCES sessions(id),
  last_seen_id INTEGER REFERENCES sessions(id),
  first_installed_id INTEGER REFERENCES swid_events(id),
  last_deleted_id INTEGER REFERENCES swid_events(id),
  UNIQUE (tag_id, device_id)
);

CREATE TABLE IF NOT EXISTS swid_events (
  id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  device INTEGER REFERENCES devices(id),
  epoch INTEGER NOT NULL,
  eid INTEGER NOT NULL,
  timestamp CHAR(20) NOT NULL
);
CREATE INDEX IF NOT EXISTS swid_events_device ON swid_events (device);

CREATE TABLE IF NOT EXISTS swid_tags_events (
  id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  tag_id INTEGER REFERENCES swid_tags(id),
  event_id INTEGER REFERENCES swid_events(id),
  action INTEGER NOT NULL,
  record_id INTEGER DEFAULT 0,
  source_id INTEGER DEFAULT 0
);
CREATE INDEX IF NOT EXISTS swid_tags_events_tag_id ON swid_tags_events (tag_id);
CREATE INDEX IF NOT EXISTS swid_tags_events_event_id ON swid_tags_events (event_id);

-- Seed rows every reader of the file relies on: the fallback group, the
-- measurement algorithms under their PTS bit values, and the PTS functional
-- components (vendor 36906 = ITA-HSR; names 1 TGRUB, 2 TBOOT, 3 IMA;
-- qualifier 33 = trusted platform, 34 = operating system).
INSERT OR IGNORE INTO groups (id, name, parent) VALUES (1, 'Default', NULL);
INSERT OR IGNORE INTO algorithms (id, name) VALUES
  (32768, 'SHA1'), (16384, 'SHA256'), (8192, 'SHA384'), (4096, 'SHA512');
INSERT INTO components (id, vendor_id, name, qualifier, label)
  SELECT 1, 36906, 1, 33, 'G' WHERE NOT EXISTS (SELECT 1 FROM components WHERE id = 1);
INSERT INTO components (id, vendor_id, name, qualifier, label)
  SELECT 2, 36906, 2, 33, 'T' WHERE NOT EXISTS (SELECT 1 FROM components WHERE id = 2);
INSERT INTO components (id, vendor_id, name, qualifier, label)
  SELECT 3, 36906, 3, 33, 'B' WHERE NOT EXISTS (SELECT 1 FROM components WHERE id = 3);
INSERT INTO components (id, vendor_id, name, qualifier, label)
  SELECT 4, 36906, 3, 34, 'I' WHERE NOT EXISTS (SELECT 1 FROM components WHERE id = 4);
