-- Ferry target design for Sakila, written for PostgreSQL by hand (the sink's target.ddl).
-- Unqualified names: the sink creates the tables in its target.schema. PostgreSQL parses this file; the tables are
-- created bare (columns, defaults, NOT NULL, primary key) for the full load, and everything else here (indexes,
-- unique/check/foreign-key constraints) is built after each table's load, foreign keys once both sides are loaded.
-- Redesign: film_actor and film_category get one-column bigint keys (ids from Ferry's key registry, see bigint.keys),
-- the relationships Sakila's application joins on are real foreign keys, staff.password is not migrated.
-- Tables not listed here (film_text) are created from the records as usual.

CREATE TABLE country (
  country_id integer PRIMARY KEY,
  country varchar(50) NOT NULL,
  last_update timestamptz(0) NOT NULL DEFAULT now()
);

CREATE TABLE city (
  city_id integer PRIMARY KEY,
  city varchar(50) NOT NULL,
  country_id integer NOT NULL REFERENCES country (country_id),
  last_update timestamptz(0) NOT NULL DEFAULT now()
);
CREATE INDEX city_country_id_idx ON city (country_id);

CREATE TABLE address (
  address_id integer PRIMARY KEY,
  address varchar(50) NOT NULL,
  address2 varchar(50),
  district varchar(20) NOT NULL,
  city_id integer NOT NULL REFERENCES city (city_id),
  postal_code varchar(10),
  phone varchar(20) NOT NULL,
  location bytea,
  last_update timestamptz(0) NOT NULL DEFAULT now()
);
CREATE INDEX address_city_id_idx ON address (city_id);

CREATE TABLE language (
  language_id smallint PRIMARY KEY,
  name varchar(20) NOT NULL,
  last_update timestamptz(0) NOT NULL DEFAULT now()
);

CREATE TABLE actor (
  actor_id integer PRIMARY KEY,
  first_name varchar(45) NOT NULL,
  last_name varchar(45) NOT NULL,
  last_update timestamptz(0) NOT NULL DEFAULT now()
);
CREATE INDEX actor_last_name_idx ON actor (last_name);

CREATE TABLE category (
  category_id smallint PRIMARY KEY,
  name varchar(25) NOT NULL,
  last_update timestamptz(0) NOT NULL DEFAULT now()
);

CREATE TABLE film (
  film_id integer PRIMARY KEY,
  title varchar(255) NOT NULL,
  description text,
  release_year smallint CHECK (release_year BETWEEN 1901 AND 2155),
  language_id smallint NOT NULL REFERENCES language (language_id),
  original_language_id smallint REFERENCES language (language_id),
  rental_duration smallint NOT NULL DEFAULT 3,
  rental_rate numeric(4,2) NOT NULL DEFAULT 4.99 CHECK (rental_rate >= 0),
  length integer,
  replacement_cost numeric(5,2) NOT NULL DEFAULT 19.99,
  rating text DEFAULT 'G' CHECK (rating IN ('G', 'PG', 'PG-13', 'R', 'NC-17')),
  special_features text[],
  last_update timestamptz(0) NOT NULL DEFAULT now()
);
CREATE INDEX film_title_idx ON film (title);
CREATE INDEX film_language_id_idx ON film (language_id);
CREATE INDEX film_original_language_id_idx ON film (original_language_id);

CREATE TABLE film_actor (
  id bigint PRIMARY KEY,
  actor_id integer NOT NULL REFERENCES actor (actor_id),
  film_id integer NOT NULL REFERENCES film (film_id),
  last_update timestamptz(0) NOT NULL DEFAULT now(),
  UNIQUE (actor_id, film_id)
);
CREATE INDEX film_actor_film_id_idx ON film_actor (film_id);

CREATE TABLE film_category (
  id bigint PRIMARY KEY,
  film_id integer NOT NULL REFERENCES film (film_id),
  category_id smallint NOT NULL REFERENCES category (category_id),
  last_update timestamptz(0) NOT NULL DEFAULT now(),
  UNIQUE (film_id, category_id)
);

CREATE TABLE store (
  store_id smallint PRIMARY KEY,
  manager_staff_id smallint NOT NULL UNIQUE,
  address_id integer NOT NULL REFERENCES address (address_id),
  last_update timestamptz(0) NOT NULL DEFAULT now()
);

CREATE TABLE staff (
  staff_id smallint PRIMARY KEY,
  first_name varchar(45) NOT NULL,
  last_name varchar(45) NOT NULL,
  address_id integer NOT NULL REFERENCES address (address_id),
  picture bytea,
  email varchar(50),
  store_id smallint NOT NULL REFERENCES store (store_id),
  active boolean NOT NULL DEFAULT true,
  username varchar(16) NOT NULL,
  last_update timestamptz(0) NOT NULL DEFAULT now()
);
-- the circular reference store <-> staff is fine: both are built after both tables are loaded
ALTER TABLE store ADD FOREIGN KEY (manager_staff_id) REFERENCES staff (staff_id);

CREATE TABLE customer (
  customer_id integer PRIMARY KEY,
  store_id smallint NOT NULL REFERENCES store (store_id),
  first_name varchar(45) NOT NULL,
  last_name varchar(45) NOT NULL,
  email varchar(50),
  address_id integer NOT NULL REFERENCES address (address_id),
  active boolean NOT NULL DEFAULT true,
  create_date timestamp(0) NOT NULL,
  last_update timestamptz(0) DEFAULT now()
);
CREATE INDEX customer_last_name_idx ON customer (last_name);
CREATE INDEX customer_store_id_idx ON customer (store_id);

CREATE TABLE inventory (
  inventory_id integer PRIMARY KEY,
  film_id integer NOT NULL REFERENCES film (film_id),
  store_id smallint NOT NULL REFERENCES store (store_id),
  last_update timestamptz(0) NOT NULL DEFAULT now()
);
CREATE INDEX inventory_store_id_film_id_idx ON inventory (store_id, film_id);

CREATE TABLE rental (
  rental_id integer PRIMARY KEY,
  rental_date timestamp(0) NOT NULL,
  inventory_id integer NOT NULL REFERENCES inventory (inventory_id),
  customer_id integer NOT NULL REFERENCES customer (customer_id),
  return_date timestamp(0),
  staff_id smallint NOT NULL REFERENCES staff (staff_id),
  last_update timestamptz(0) NOT NULL DEFAULT now(),
  UNIQUE (rental_date, inventory_id, customer_id),
  CHECK (return_date IS NULL OR return_date >= rental_date)
);
CREATE INDEX rental_inventory_id_idx ON rental (inventory_id);
CREATE INDEX rental_customer_id_idx ON rental (customer_id);

CREATE TABLE payment (
  payment_id integer PRIMARY KEY,
  customer_id integer NOT NULL REFERENCES customer (customer_id),
  staff_id smallint NOT NULL REFERENCES staff (staff_id),
  rental_id integer REFERENCES rental (rental_id) ON DELETE SET NULL,
  amount numeric(5,2) NOT NULL CHECK (amount >= 0),
  payment_date timestamp(0) NOT NULL,
  last_update timestamptz(0) DEFAULT now()
);
CREATE INDEX payment_customer_id_idx ON payment (customer_id);
CREATE INDEX payment_rental_id_idx ON payment (rental_id);
