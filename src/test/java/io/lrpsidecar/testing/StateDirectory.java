package io.lrpsidecar.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A state directory for TopologyTestDriver tests that pipe thousands of records, deleted with all its content on
 * {@link #close}. The driver commits after every record, and every commit writes the task's checkpoint files with
 * fsync and flushes its RocksDB stores: on a disk that costs about 0.1 s per record. In memory ({@code /dev/shm}, a
 * tmpfs on Linux) it costs nearly nothing, so the directory is made there where it exists, and in the default
 * temporary directory elsewhere.
 *
 * @param path the directory
 */
public record StateDirectory(Path path) implements AutoCloseable {
    private static final Path SHARED_MEMORY = Path.of("/dev/shm");

    /** A new, empty directory, in memory where the system offers one. */
    public static StateDirectory inMemoryWherePossible(String prefix) {
        try {
            return new StateDirectory(Files.isDirectory(SHARED_MEMORY) && Files.isWritable(SHARED_MEMORY)
                    ? Files.createTempDirectory(SHARED_MEMORY, prefix) : Files.createTempDirectory(prefix));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try (Stream<Path> paths = Files.walk(path)) {
            for (Path entry : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(entry);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not delete the state directory " + path, e);
        }
    }
}
