package dev.loupe.lens;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Opens pages in Debian's chromium through lens-pages.mjs (playwright-core, installed by ./test, see
 * loupe-serve/src/test/node/install.sh) and returns its report: per page, the console/page errors and network
 * requests seen, what its interactions found, and a screenshot beside the page. Missing tools fail with the
 * install command; every page is first checked to be self-contained.
 */
final class BrowserPages {
    static final Path NODE_DIR = Path.of("../loupe-serve/src/test/node").toAbsolutePath().normalize();
    static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"));

    private BrowserPages() {}

    static void requireTools() {
        List<String> missing = new ArrayList<>();
        if (!Files.isDirectory(NODE_DIR.resolve("node_modules/playwright-core"))) missing.add("npm package playwright-core");
        if (!Files.isExecutable(CHROMIUM)) missing.add(CHROMIUM + " (Debian package chromium)");
        if (!missing.isEmpty()) throw new AssertionError("missing " + String.join(", ", missing) + ": run " + NODE_DIR.resolve("install.sh"));
    }

    /** The "pages" array of lens-pages.mjs's report for {@code pages} (file names in {@code dir}). */
    static JsonNode open(Path dir, List<String> pages) throws Exception {
        for (String page : pages) {
            String html = Files.readString(dir.resolve(page));
            // Self-contained: no external scripts, styles or images (the SVG namespace URI is a name, not a fetch).
            assertThat(html).doesNotContain("<script src", "<link ", "src=\"http", "href=\"http", "url(http", "import(");
        }
        List<String> cmd = new ArrayList<>(List.of("node", "lens-pages.mjs", dir.toString()));
        for (String page : pages) cmd.add(dir.resolve(page).toString());
        Process proc = new ProcessBuilder(cmd).directory(NODE_DIR.toFile()).redirectErrorStream(true).start();
        byte[] out;
        try (var in = proc.getInputStream()) {
            out = in.readAllBytes();
        }
        if (!proc.waitFor(3, TimeUnit.MINUTES)) {
            proc.destroyForcibly();
            throw new AssertionError("lens-pages.mjs timed out");
        }
        String text = new String(out, StandardCharsets.UTF_8);
        assertThat(proc.exitValue()).as("lens-pages.mjs output:\n" + text).isZero();
        JsonNode r = new ObjectMapper().readTree(text.strip().lines().toList().getLast()).get("pages");
        assertThat(r).hasSize(pages.size());
        for (JsonNode page : r) {
            String name = page.get("page").asText();
            assertThat(page.get("errors")).as(name).isEmpty();
            assertThat(Files.size(dir.resolve(name.replace(".html", ".png")))).as(name).isPositive();
        }
        return r;
    }
}
