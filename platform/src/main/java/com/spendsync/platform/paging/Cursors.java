package com.spendsync.platform.paging;

import com.spendsync.platform.problem.InvalidRequestException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/**
 * Opaque page cursors: the sort position of the last item of a page, base64url-encoded. A client passes them back
 * unchanged; anything else is refused as a bad {@code cursor}.
 */
public final class Cursors {

    private static final String SEPARATOR = "\n";

    private Cursors() {
    }

    public static String encode(String kind, String... position) {
        String text = kind + SEPARATOR + String.join(SEPARATOR, position);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    /** The position in a cursor of this kind, with {@code parts} parts; null for no cursor. */
    public static List<String> decode(String cursor, String kind, int parts) {
        if (cursor == null) {
            return null;
        }
        try {
            String text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            List<String> fields = List.of(text.split(SEPARATOR, -1));
            if (fields.size() == parts + 1 && fields.get(0).equals(kind)) {
                return fields.subList(1, fields.size());
            }
        } catch (IllegalArgumentException notBase64) {
            // refused below, like any other cursor this service did not issue
        }
        throw notIssuedHere();
    }

    /** The refusal of a cursor this service did not issue for the listing, or one whose position is not its own. */
    public static InvalidRequestException notIssuedHere() {
        return new InvalidRequestException("cursor", "is not a cursor this service issued for this listing");
    }
}
