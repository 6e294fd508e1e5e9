package io.lrpsidecar.app;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Curl examples are copied out of Markdown as a reader would copy them. */
class ReadmeExamplesTest {

    @Test
    void curlCommandsOfBashBlocksAreJoinedAndSplitOutsideQuotes() {
        String markdown = """
                Text with `curl localhost:8080/inline` is no example.

                ```bash
                curl -s 'localhost:8080/a?x=1&y=2' | grep ';' && echo done
                curl -s -X POST localhost:8080/b -H "X-API-Key: $KEY" \\
                  -d '{"flag": "A|B"}'
                ./lrp tail explanations
                ```

                ```properties
                curl.not=a command
                ```
                """;

        assertEquals(List.of("curl -s 'localhost:8080/a?x=1&y=2'",
                "curl -s -X POST localhost:8080/b -H \"X-API-Key: $KEY\" -d '{\"flag\": \"A|B\"}'"),
                ReadmeExamples.curlCommands(markdown));
    }
}
