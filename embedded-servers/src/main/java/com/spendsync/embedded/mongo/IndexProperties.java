package com.spendsync.embedded.mongo;

import de.bwaldvogel.mongo.backend.Utils;
import de.bwaldvogel.mongo.bson.Document;

/** What an index description asks of an index beyond its keys. */
record IndexProperties(boolean unique, boolean sparse, Document partialFilter, Long expireAfterSeconds) {

    static IndexProperties of(Document description, boolean unique, boolean sparse) {
        if (description == null) {
            return new IndexProperties(unique, sparse, null, null);
        }
        Object partial = description.get("partialFilterExpression");
        Object expire = description.get("expireAfterSeconds");
        return new IndexProperties(unique || Utils.isTrue(description.get("unique")), sparse,
                partial instanceof Document document ? document : null,
                expire instanceof Number number ? number.longValue() : null);
    }
}
