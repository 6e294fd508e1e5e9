package io.lrpsidecar.app;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The examples of a Markdown document, as the reader copies them: the {@code ```bash} blocks, their continued lines
 * ({@code \} at the end) joined, each line split into its commands at {@code |}, {@code &&} and {@code ;} outside
 * quotes.
 */
final class ReadmeExamples {
    private static final Pattern BASH_BLOCK = Pattern.compile("^```bash\\n(.*?)^```", Pattern.DOTALL
            | Pattern.MULTILINE);

    private ReadmeExamples() {
    }

    /** Every command of a {@code bash} block that runs curl. */
    static List<String> curlCommands(String markdown) {
        List<String> commands = new ArrayList<>();
        Matcher block = BASH_BLOCK.matcher(markdown);
        while (block.find()) {
            for (String line : block.group(1).replaceAll("\\s*\\\\\\n\\s*", " ").split("\\n")) {
                for (String command : commands(line)) {
                    if (command.startsWith("curl ")) {
                        commands.add(command);
                    }
                }
            }
        }
        return commands;
    }

    /** The commands of one shell line, split at unquoted {@code |}, {@code &&} and {@code ;}. */
    static List<String> commands(String line) {
        List<String> commands = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        char quote = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quote != 0) {
                quote = c == quote ? 0 : quote;
                current.append(c);
            } else if (c == '\'' || c == '"') {
                quote = c;
                current.append(c);
            } else if (c == '|' || c == ';' || (c == '&' && i + 1 < line.length() && line.charAt(i + 1) == '&')) {
                commands.add(current.toString().strip());
                current.setLength(0);
                i += c == '&' || (c == '|' && i + 1 < line.length() && line.charAt(i + 1) == '|') ? 1 : 0;
            } else {
                current.append(c);
            }
        }
        commands.add(current.toString().strip());
        commands.removeIf(String::isEmpty);
        return commands;
    }
}
