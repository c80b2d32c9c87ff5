package com.spendsync.platform.auth;

import com.spendsync.api.authority.Authority;
import com.spendsync.api.keyformat.KeyEnvironment;
import java.util.ArrayList;
import java.util.List;
import org.springframework.data.mongodb.core.query.Criteria;

/**
 * The documents a reader may see in a listing, as a MongoDB condition: those whose owner is inside the reader's scope
 * and, for a test root key, of the test environment. Listings filter silently with it; single reads refuse through
 * {@link Authority} itself, which applies the same scope and environment rule.
 */
public final class Visibility {

    private Visibility() {
    }

    /**
     * The condition on {@code ownerField} and {@code environmentField} (matched against {@code testValue}, the
     * collection's spelling of the test environment), or null when the reader sees every document.
     */
    public static Criteria of(Authority reader, String ownerField, String environmentField, Object testValue) {
        List<Criteria> conditions = new ArrayList<>();
        if (reader.scoped()) {
            List<String> exact = new ArrayList<>();
            List<Criteria> owners = new ArrayList<>();
            for (String entry : reader.scope().owners()) {
                if (entry.endsWith("*")) {
                    owners.add(Criteria.where(ownerField).regex("^" + literal(entry.substring(0, entry.length() - 1))));
                } else {
                    exact.add(entry);
                }
            }
            if (!exact.isEmpty()) {
                owners.add(Criteria.where(ownerField).in(exact));
            }
            conditions.add(owners.size() == 1 ? owners.get(0) : new Criteria().orOperator(owners));
        }
        if (!reader.manages(KeyEnvironment.LIVE)) {
            conditions.add(Criteria.where(environmentField).is(testValue));
        }
        if (conditions.isEmpty()) {
            return null;
        }
        return conditions.size() == 1 ? conditions.get(0) : new Criteria().andOperator(conditions);
    }

    /** Escapes every character but letters and digits, which is all an ownerId prefix can hold besides them. */
    private static String literal(String text) {
        StringBuilder escaped = new StringBuilder();
        text.chars().forEach(c -> {
            if (!Character.isLetterOrDigit(c)) {
                escaped.append('\\');
            }
            escaped.append((char) c);
        });
        return escaped.toString();
    }
}
