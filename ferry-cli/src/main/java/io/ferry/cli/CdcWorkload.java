package io.ferry.cli;

import io.ferry.embedded.MariaDbServer;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;

/** A small, realistic change load on Sakila: rentals with payments, returns, price changes, a key change, deletes. */
final class CdcWorkload {
    private CdcWorkload() {}

    static int apply(MariaDbServer maria, int transactions) throws Exception {
        int statements = 0;
        try (Connection c = maria.connect("sakila"); Statement st = c.createStatement()) {
            st.execute("INSERT INTO actor (actor_id, first_name, last_name) VALUES (900, 'ZOË', 'O''BRIEN')");
            st.execute("UPDATE actor SET actor_id = 901 WHERE actor_id = 900");
            statements += 2;
            c.setAutoCommit(false);
            try (PreparedStatement rental = c.prepareStatement("INSERT INTO rental (rental_id, rental_date, "
                    + "inventory_id, customer_id, staff_id) VALUES (?, NOW(), ?, ?, 1)");
                 PreparedStatement payment = c.prepareStatement("INSERT INTO payment (payment_id, customer_id, "
                         + "staff_id, rental_id, amount, payment_date) VALUES (?, ?, 1, ?, ?, NOW())");
                 PreparedStatement film = c.prepareStatement("UPDATE film SET rental_rate = rental_rate + 0.50 "
                         + "WHERE film_id = ?");
                 PreparedStatement ret = c.prepareStatement("UPDATE rental SET return_date = NOW() WHERE rental_id = ?")) {
                for (int i = 0; i < transactions; i++) {
                    int id = 30_000 + i;
                    rental.setInt(1, id);
                    rental.setInt(2, 1 + i % 4500);
                    rental.setInt(3, 1 + i % 599);
                    rental.executeUpdate();
                    payment.setInt(1, id);
                    payment.setInt(2, 1 + i % 599);
                    payment.setInt(3, id);
                    payment.setBigDecimal(4, new java.math.BigDecimal("2.99"));
                    payment.executeUpdate();
                    film.setInt(1, 1 + i % 1000);
                    film.executeUpdate();
                    statements += 3;
                    if (i % 3 == 0) {
                        ret.setInt(1, id);
                        ret.executeUpdate();
                        statements++;
                    }
                    c.commit();
                }
            }
            st.execute("DELETE FROM payment WHERE payment_id BETWEEN 30000 AND 30009");
            st.execute("DELETE FROM film_actor WHERE film_id = 1");
            c.commit();
            statements += 2;
        }
        return statements;
    }
}
