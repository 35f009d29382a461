-- adopt-0-dbprocessing.sql: dbprocessing's 17 tables as its CreateDB.py
-- makes them on PostgreSQL (serial ids, primary keys and the unique
-- constraints "cascade adopt" keeps), for "cascade adopt --from-sqlite":
-- made in an empty database, filled from dbprocessing's SQLite file,
-- then adopted as a PostgreSQL one is (adopt-1-shape.sql on), in the
-- same transaction.  dbprocessing's foreign keys, CHECKs and extra
-- indexes are left out: the first thing adoption does is drop them.

CREATE TABLE mission (
    mission_id serial PRIMARY KEY,
    mission_name varchar(20) NOT NULL UNIQUE,
    rootdir varchar(250) NOT NULL,
    incoming_dir varchar(250) NOT NULL,
    codedir varchar(250),
    inspectordir varchar(250),
    errordir varchar(250)
);
CREATE TABLE satellite (
    satellite_id serial PRIMARY KEY,
    satellite_name varchar(20) NOT NULL,
    mission_id integer NOT NULL,
    CONSTRAINT unique_pairs_satellite UNIQUE (satellite_name, mission_id)
);
CREATE TABLE instrument (
    instrument_id serial PRIMARY KEY,
    instrument_name varchar(20) NOT NULL,
    satellite_id integer NOT NULL,
    CONSTRAINT unique_pairs_instrument UNIQUE (instrument_name, satellite_id)
);
CREATE TABLE product (
    product_id serial PRIMARY KEY,
    product_name varchar(100) NOT NULL,
    instrument_id integer NOT NULL,
    relative_path varchar(250) NOT NULL,
    level double precision NOT NULL,
    format text NOT NULL,
    product_description text,
    CONSTRAINT unique_triplet_product UNIQUE (product_name, instrument_id, relative_path)
);
CREATE TABLE instrumentproductlink (
    instrument_id integer NOT NULL,
    product_id integer NOT NULL,
    PRIMARY KEY (instrument_id, product_id)
);
CREATE TABLE process (
    process_id serial PRIMARY KEY,
    process_name varchar(50) NOT NULL,
    output_product integer,
    output_timebase varchar(10),
    extra_params text,
    UNIQUE (process_name, output_product)
);
CREATE TABLE productprocesslink (
    process_id integer NOT NULL,
    input_product_id integer NOT NULL,
    optional boolean NOT NULL,
    yesterday integer NOT NULL,
    tomorrow integer NOT NULL,
    PRIMARY KEY (process_id, input_product_id)
);
CREATE TABLE file (
    file_id serial PRIMARY KEY,
    filename varchar(250) NOT NULL,
    utc_file_date date,
    utc_start_time timestamp,
    utc_stop_time timestamp,
    data_level double precision NOT NULL,
    interface_version smallint NOT NULL,
    quality_version smallint NOT NULL,
    revision_version smallint NOT NULL,
    verbose_provenance text,
    check_date timestamp,
    quality_comment text,
    caveats text,
    file_create_date timestamp NOT NULL,
    met_start_time double precision,
    met_stop_time double precision,
    exists_on_disk boolean NOT NULL,
    quality_checked boolean,
    product_id integer NOT NULL,
    shasum varchar(40),
    process_keywords text
);
CREATE TABLE unixtime (
    file_id integer PRIMARY KEY,
    unix_start integer,
    unix_stop integer
);
CREATE TABLE filefilelink (
    source_file integer NOT NULL,
    resulting_file integer NOT NULL,
    PRIMARY KEY (source_file, resulting_file)
);
CREATE TABLE code (
    code_id serial PRIMARY KEY,
    filename varchar(250) NOT NULL,
    relative_path varchar(250) NOT NULL,
    code_start_date date NOT NULL,
    code_stop_date date NOT NULL,
    code_description text NOT NULL,
    process_id integer NOT NULL,
    interface_version smallint NOT NULL,
    quality_version smallint NOT NULL,
    revision_version smallint NOT NULL,
    output_interface_version smallint NOT NULL,
    active_code boolean NOT NULL,
    date_written date NOT NULL,
    shasum varchar(40),
    newest_version boolean NOT NULL,
    arguments text,
    ram double precision,
    cpu smallint
);
CREATE TABLE processqueue (
    file_id integer PRIMARY KEY,
    version_bump smallint
);
CREATE TABLE filecodelink (
    resulting_file integer NOT NULL,
    source_code integer NOT NULL,
    PRIMARY KEY (resulting_file, source_code)
);
CREATE TABLE release (
    file_id integer NOT NULL,
    release_num varchar(20) NOT NULL,
    PRIMARY KEY (file_id, release_num)
);
CREATE TABLE logging (
    logging_id serial PRIMARY KEY,
    currently_processing boolean NOT NULL,
    pid integer,
    processing_start_time timestamp NOT NULL,
    processing_end_time timestamp,
    comment text,
    mission_id integer NOT NULL,
    "user" varchar(30) NOT NULL,
    hostname varchar(100) NOT NULL
);
CREATE TABLE logging_file (
    logging_file_id serial PRIMARY KEY,
    logging_id integer NOT NULL,
    file_id integer NOT NULL,
    code_id integer NOT NULL,
    comments text
);
CREATE TABLE inspector (
    inspector_id serial PRIMARY KEY,
    filename varchar(250) NOT NULL,
    relative_path varchar(250) NOT NULL,
    description text NOT NULL,
    interface_version smallint NOT NULL,
    quality_version smallint NOT NULL,
    revision_version smallint NOT NULL,
    output_interface_version smallint NOT NULL,
    active_code boolean NOT NULL,
    date_written date NOT NULL,
    shasum varchar(40),
    newest_version boolean NOT NULL,
    arguments text,
    product integer NOT NULL
);
