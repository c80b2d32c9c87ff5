package com.spendsync.command.bootstrap;

import com.spendsync.api.keyformat.ApiKeySecret;
import com.spendsync.platform.files.OwnerOnlyFile;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The generated bootstrap key as a file, {@code SPENDSYNC_DATA_DIR/bootstrap-key}, so it need not be kept from a
 * container's log; written as {@link OwnerOnlyFile} writes secrets.
 */
final class BootstrapKeyFile {

    static final String NAME = "bootstrap-key";

    private BootstrapKeyFile() {
    }

    /** Writes the key to {@code dataDirectory}'s key file and returns the file's path. */
    static Path write(Path dataDirectory, ApiKeySecret key) throws IOException {
        return OwnerOnlyFile.write(dataDirectory.resolve(NAME), key.reveal() + System.lineSeparator());
    }
}
