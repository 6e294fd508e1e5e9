package io.lrpsidecar.cli;

import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;

/**
 * Messages for failed file operations that name the file and the reason: Java's own messages for them are often the
 * path alone ({@code NoSuchFileException: /missing/dir/r.npy}).
 */
final class IoErrors {
    private IoErrors() {
    }

    /** The message of a failure, with the file and the reason when it is a file-system error. */
    static String describe(Exception exception) {
        Throwable cause = exception instanceof UncheckedIOException unchecked ? unchecked.getCause() : exception;
        if (cause instanceof FileSystemException failure && failure.getFile() != null) {
            return "cannot access " + failure.getFile() + ": " + reason(failure);
        }
        return exception.getMessage();
    }

    /** Checks before any work that {@code file} can be written: its folder exists and is writable. */
    static void requireWritable(Path file, String option) {
        Path folder = file.toAbsolutePath().getParent();
        String start = "cannot write " + file + " (" + option + "): ";
        if (Files.isDirectory(file)) {
            throw new UserInputException(start + "it is a directory");
        }
        if (!Files.exists(folder)) {
            throw new UserInputException(start + "directory " + folder + " does not exist");
        }
        if (!Files.isDirectory(folder)) {
            throw new UserInputException(start + folder + " is not a directory");
        }
        if (!Files.isWritable(folder) || (Files.exists(file) && !Files.isWritable(file))) {
            throw new UserInputException(start + "permission denied");
        }
    }

    private static String reason(FileSystemException failure) {
        Path file = Path.of(failure.getFile());
        if (failure instanceof NoSuchFileException) {
            Path folder = file.toAbsolutePath().getParent();
            return folder != null && !Files.isDirectory(folder) ? "directory " + folder + " does not exist"
                    : "no such file";
        }
        if (failure instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (failure instanceof NotDirectoryException) {
            return "not a directory";
        }
        if (failure instanceof FileAlreadyExistsException) {
            return "it already exists";
        }
        return failure.getReason() != null ? failure.getReason() : failure.getClass().getSimpleName();
    }
}
