package dev.chimera.merge;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

final class MergeCliTestSupport {
    private MergeCliTestSupport() {}

    static Path config(Path dir, String name, String yaml) throws IOException {
        Path p = dir.resolve(name + ".yml");
        Files.writeString(p, yaml.replace("$D", dir.toString()));
        return p;
    }
}
