package com.spendsync.command.bootstrap;

import com.spendsync.api.keyformat.ApiKeySecret;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * The generated bootstrap key as a file, {@code SPENDSYNC_DATA_DIR/bootstrap-key}, so it need not be kept from a
 * container's log. The file is created readable and writable by its owner only, never wider for an instant, and
 * moved into place whole, replacing one left by an earlier store.
 */
final class BootstrapKeyFile {

    static final String NAME = "bootstrap-key";
    private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));

    private BootstrapKeyFile() {
    }

    /** Writes the key to {@code dataDirectory}'s key file and returns the file's path. */
    static Path write(Path dataDirectory, ApiKeySecret key) throws IOException {
        Path file = dataDirectory.resolve(NAME);
        Files.createDirectories(dataDirectory);
        Path partial = Files.createTempFile(dataDirectory, NAME, ".partial", OWNER_ONLY);
        try {
            Files.writeString(partial, key.reveal() + System.lineSeparator(), StandardCharsets.US_ASCII);
            Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(partial);
        }
        return file;
    }
}
