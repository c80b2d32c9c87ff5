package de.bwaldvogel.mongo.backend;

import de.bwaldvogel.mongo.bson.Document;
import java.util.function.UnaryOperator;

/**
 * The one package-private helper of mongo-java-server 1.47.0 that the indexed H2 backend
 * (com.spendsync.embedded.mongo) needs: applying a find's projection to documents it streams lazily. It lives in the
 * library's package, inside our module, instead of reflection, so a library upgrade that changes it fails to compile.
 */
public final class ProjectionAccess {

    private ProjectionAccess() {
    }

    public static UnaryOperator<Document> projection(Document fields, String idField) {
        Projection projection = new Projection(fields, idField);
        return projection::projectDocument;
    }
}
