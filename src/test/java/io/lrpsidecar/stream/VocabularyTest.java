package io.lrpsidecar.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Vocabulary files: one token per line (line number = id), bounded in size, UTF-8 only. */
class VocabularyTest {
    @TempDir
    Path folder;

    @Test
    void eachLineIsATokenWhoseIdIsItsLineNumber() throws IOException {
        Path file = folder.resolve("vocab.txt");
        Files.writeString(file, "[PAD]\r\n[CLS]\n\nüber\n##ing", StandardCharsets.UTF_8);
        List<String> tokens = Vocabulary.read(file);
        assertEquals(List.of("[PAD]", "[CLS]", "", "über", "##ing"), tokens);
        Vocabulary vocabulary = new Vocabulary(tokens, OptionalLong.of(0));
        assertEquals(Optional.of("über"), vocabulary.text(3));
        assertEquals(Optional.empty(), vocabulary.text(5));
        assertEquals(Optional.empty(), vocabulary.text(-1));
        assertTrue(vocabulary.isPadding(0));
        assertFalse(vocabulary.isPadding(1));
        assertEquals(List.of("a", "b"), Vocabulary.parse("a\nb\n".getBytes(StandardCharsets.UTF_8), "f"));
    }

    @Test
    void theTestVocabularyNamesEveryIdOfTheTextTransformer() {
        List<String> tokens = assertDoesNotFail(TokenTopologyTest.vocabularyFile());
        assertEquals(40, tokens.size());
        assertEquals(List.of("[PAD]", "[CLS]", "good"), tokens.subList(0, 3));
    }

    private static List<String> assertDoesNotFail(Path file) {
        try {
            return Vocabulary.read(file);
        } catch (IOException e) {
            throw new AssertionError("the test vocabulary does not read: " + e.getMessage(), e);
        }
    }

    @Test
    void aFileAboveTheLimitIsRefusedBeforeItIsRead() throws IOException {
        Path file = folder.resolve("huge.txt");
        try (RandomAccessFile sparse = new RandomAccessFile(file.toFile(), "rw")) {
            sparse.setLength(Vocabulary.MAX_FILE_BYTES + 1);
        }
        IOException refused = assertThrows(IOException.class, () -> Vocabulary.read(file));
        assertEquals("vocabulary file huge.txt: expected at most 16777216 bytes, found 16777217",
                refused.getMessage());
    }

    @Test
    void malformedUtf8IsRefused() {
        IOException refused = assertThrows(IOException.class, () -> Vocabulary.parse(new byte[] {'a', '\n',
            (byte) 0xC3, '\n'}, "bad.txt"));
        assertEquals("vocabulary file bad.txt: expected UTF-8 text, found malformed bytes", refused.getMessage());
    }
}
