package dev.chimera.eval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chimera.jinja.Jinja;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Struct;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The documents of an lm-eval task, read from local files only (nothing is downloaded). Accepted as Hugging Face
 * {@code load_dataset} takes them: {@code dataset_path: json | csv | parquet} with {@code dataset_kwargs.data_files}
 * (a file, a list, or a map of split to file(s)), or {@code dataset_path} a local folder whose files are named by
 * split ({@code test.jsonl}, {@code test-00000-of-00001.parquet}, {@code data/test.csv}, optionally under a
 * {@code dataset_name} subfolder). Relative paths are resolved against the task file's folder. Columns are unified
 * as a datasets table has them: every document has every column (missing values None), and a numeric column with
 * any float holds floats. A hub id without local files is refused with the files it needs.
 */
final class HarnessData {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> EXTENSIONS = List.of("jsonl", "json", "csv", "parquet");

    private HarnessData() {}

    /** The named splits' documents; {@code where} names the task file for errors. */
    static Map<String, List<Map<String, Object>>> load(
            Path taskDir,
            String datasetPath,
            String datasetName,
            JsonNode dataFiles,
            Set<String> splits,
            String where) {
        if (datasetPath == null) {
            throw new EvalException(where + ": dataset_path is missing");
        }
        Map<String, List<Path>> files = new LinkedHashMap<>();
        boolean loader = Set.of("json", "csv", "parquet", "text", "arrow").contains(datasetPath);
        Path dir = loader ? taskDir : taskDir.resolve(datasetPath);
        if (dataFiles != null && !dataFiles.isNull()) {
            if (dataFiles.isObject()) {
                dataFiles.fields().forEachRemaining(e -> files.put(e.getKey(), paths(dir, e.getValue(), where)));
            } else {
                files.put("train", paths(dir, dataFiles, where));
            }
        } else if (!loader && Files.isDirectory(dir)) {
            Path base =
                    datasetName != null && Files.isDirectory(dir.resolve(datasetName)) ? dir.resolve(datasetName) : dir;
            if (Files.exists(base.resolve("dataset_dict.json")) || Files.exists(base.resolve("state.json"))) {
                throw new EvalException(where + ": " + base + " is a datasets save_to_disk folder (Arrow files), which"
                        + " Chimera does not read; export each split with dataset.to_json('<split>.jsonl') and point"
                        + " dataset_path at that folder");
            }
            for (String split : splits) {
                List<Path> found = splitFiles(base, split);
                if (!found.isEmpty()) {
                    files.put(split, found);
                }
            }
        } else {
            String hub = datasetPath + (datasetName == null ? "" : " (dataset_name " + datasetName + ")");
            throw new EvalException(where + ": dataset_path " + hub + " is a Hugging Face hub dataset and nothing is"
                    + " downloaded here; this task needs the split(s) " + String.join(", ", splits) + " as local files:"
                    + " point dataset_path at a folder holding <split>.jsonl (or .json, .csv, .parquet) files, or set"
                    + " dataset_path: json and dataset_kwargs: {data_files: {" + String.join(": ..., ", splits)
                    + ": ...}}");
        }
        Map<String, List<Map<String, Object>>> out = new LinkedHashMap<>();
        for (String split : splits) {
            List<Path> paths = files.get(split);
            if (paths == null) {
                throw new EvalException(where + ": no file for split '" + split + "' (have: "
                        + (files.isEmpty() ? "none" : String.join(", ", files.keySet())) + " under " + dir + ")");
            }
            List<Map<String, Object>> docs = new ArrayList<>();
            for (Path p : paths) {
                docs.addAll(read(p));
            }
            if (docs.isEmpty()) {
                throw new EvalException(where + ": split '" + split + "' has no documents (" + paths + ")");
            }
            out.put(split, unify(docs));
        }
        return out;
    }

    private static List<Path> paths(Path dir, JsonNode node, String where) {
        List<Path> out = new ArrayList<>();
        if (node.isArray()) {
            node.forEach(n -> out.add(dir.resolve(n.asText())));
        } else if (node.isTextual()) {
            out.add(dir.resolve(node.asText()));
        } else {
            throw new EvalException(where + ": dataset_kwargs.data_files must be a file, a list or a map of split to"
                    + " files, got " + node);
        }
        for (Path p : out) {
            if (!Files.isRegularFile(p)) {
                throw new EvalException(where + ": data file " + p + " does not exist");
            }
        }
        return out;
    }

    /** Files named for a split, as datasets' default patterns: split.ext, split-*.ext, split_*, data/split*. */
    private static List<Path> splitFiles(Path base, String split) {
        List<Path> out = new ArrayList<>();
        for (Path d : new Path[] {base, base.resolve("data"), base.resolve(split)}) {
            if (!Files.isDirectory(d)) {
                continue;
            }
            try (Stream<Path> list = Files.list(d)) {
                list.filter(Files::isRegularFile)
                        .filter(p -> {
                            String name = p.getFileName().toString();
                            int dot = name.indexOf('.');
                            String stem = dot < 0 ? name : name.substring(0, dot);
                            String ext =
                                    name.substring(name.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT);
                            boolean named = d.getFileName().toString().equals(split)
                                    || stem.equals(split)
                                    || stem.startsWith(split + "-")
                                    || stem.startsWith(split + "_");
                            return named && EXTENSIONS.contains(ext);
                        })
                        .sorted()
                        .forEach(out::add);
            } catch (IOException e) {
                throw new EvalException("cannot list " + d + ": " + e.getMessage(), e);
            }
            if (!out.isEmpty()) {
                break;
            }
        }
        return out;
    }

    /** The documents of one file, by extension. */
    static List<Map<String, Object>> read(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".parquet")) {
            return parquet(file);
        }
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new EvalException("cannot read data file " + file + ": " + e.getMessage(), e);
        }
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        if (name.endsWith(".csv")) {
            return csv(text, file);
        }
        if (name.endsWith(".json") || name.endsWith(".jsonl")) {
            return json(text, file);
        }
        throw new EvalException("data file " + file + ": unknown format (use .jsonl, .json, .csv or .parquet)");
    }

    private static List<Map<String, Object>> json(String text, Path file) {
        List<Map<String, Object>> docs = new ArrayList<>();
        if (text.strip().startsWith("[")) {
            try {
                JsonNode arr = JSON.readTree(text);
                int i = 0;
                for (JsonNode n : arr) {
                    docs.add(doc(n, file + " item " + i++));
                }
            } catch (JsonProcessingException e) {
                throw new EvalException(file + ": malformed JSON: " + e.getOriginalMessage(), e);
            }
            return docs;
        }
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].isBlank()) {
                continue;
            }
            try {
                docs.add(doc(JSON.readTree(lines[i]), file + " line " + (i + 1)));
            } catch (JsonProcessingException e) {
                throw new EvalException(file + " line " + (i + 1) + ": malformed JSON: " + e.getOriginalMessage(), e);
            }
        }
        return docs;
    }

    private static Map<String, Object> doc(JsonNode n, String where) {
        if (n == null || !n.isObject()) {
            throw new EvalException(where + ": a document must be a JSON object");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) value(n);
        return m;
    }

    /** A JSON value as Python's json module reads it (Long, Double, String, Boolean, null, List, Map). */
    static Object value(JsonNode n) {
        return Jinja.fromJson(n);
    }

    /** RFC 4180 CSV with a header row; column types inferred as pandas' read_csv does (int, float, bool, str). */
    private static List<Map<String, Object>> csv(String text, Path file) {
        List<List<String>> rows = new ArrayList<>();
        List<String> row = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') {
                    cell.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    cell.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                row.add(cell.toString());
                cell.setLength(0);
            } else if (c == '\n' || c == '\r') {
                if (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
                    i++;
                }
                row.add(cell.toString());
                cell.setLength(0);
                if (!(row.size() == 1 && row.get(0).isEmpty())) {
                    rows.add(row);
                }
                row = new ArrayList<>();
            } else {
                cell.append(c);
            }
        }
        if (quoted) {
            throw new EvalException(file + ": unterminated quoted field");
        }
        if (cell.length() > 0 || !row.isEmpty()) {
            row.add(cell.toString());
            rows.add(row);
        }
        if (rows.isEmpty()) {
            throw new EvalException(file + ": empty CSV file");
        }
        List<String> header = rows.get(0);
        List<Map<String, Object>> docs = new ArrayList<>();
        for (int r = 1; r < rows.size(); r++) {
            if (rows.get(r).size() != header.size()) {
                throw new EvalException(file + " row " + (r + 1) + ": "
                        + rows.get(r).size() + " fields, the header has " + header.size());
            }
        }
        List<java.util.function.Function<String, Object>> parsers = new ArrayList<>();
        for (int c = 0; c < header.size(); c++) {
            parsers.add(columnParser(rows, c));
        }
        for (int r = 1; r < rows.size(); r++) {
            Map<String, Object> d = new LinkedHashMap<>();
            for (int c = 0; c < header.size(); c++) {
                String v = rows.get(r).get(c);
                d.put(header.get(c), v.isEmpty() ? null : parsers.get(c).apply(v));
            }
            docs.add(d);
        }
        return docs;
    }

    private static java.util.function.Function<String, Object> columnParser(List<List<String>> rows, int c) {
        boolean ints = true;
        boolean floats = true;
        boolean bools = true;
        for (int r = 1; r < rows.size(); r++) {
            String v = rows.get(r).get(c);
            if (v.isEmpty()) {
                continue;
            }
            ints &= v.matches("[+-]?\\d+");
            floats &= v.matches("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?|[+-]?(inf|nan)");
            bools &= v.matches("True|TRUE|true|False|FALSE|false");
        }
        if (ints) {
            return Long::parseLong;
        }
        if (floats) {
            return Double::parseDouble;
        }
        if (bools) {
            return v -> v.equalsIgnoreCase("true");
        }
        return v -> v;
    }

    /** Parquet through DuckDB (lists and structs as lists and maps, in file order). */
    private static List<Map<String, Object>> parquet(Path file) {
        try {
            Class.forName("org.duckdb.DuckDBDriver");
        } catch (ClassNotFoundException e) {
            throw new EvalException("reading " + file + " needs DuckDB's JDBC driver on the class path", e);
        }
        String sql = "SELECT * FROM read_parquet('"
                + file.toAbsolutePath().toString().replace("'", "''") + "')";
        List<Map<String, Object>> docs = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
                var st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            ResultSetMetaData md = rs.getMetaData();
            while (rs.next()) {
                Map<String, Object> d = new LinkedHashMap<>();
                for (int i = 1; i <= md.getColumnCount(); i++) {
                    d.put(md.getColumnLabel(i), sqlValue(rs.getObject(i)));
                }
                docs.add(d);
            }
        } catch (SQLException e) {
            throw new EvalException("cannot read parquet file " + file + ": " + e.getMessage(), e);
        }
        return docs;
    }

    private static Object sqlValue(Object v) throws SQLException {
        if (v == null || v instanceof String || v instanceof Boolean || v instanceof Long || v instanceof Double) {
            return v;
        }
        if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
            return ((Number) v).longValue();
        }
        if (v instanceof java.math.BigInteger b) {
            return b.longValueExact();
        }
        if (v instanceof Float f) {
            return f.doubleValue();
        }
        if (v instanceof java.math.BigDecimal d) {
            return d.doubleValue();
        }
        if (v instanceof Array a) {
            List<Object> out = new ArrayList<>();
            for (Object x : (Object[]) a.getArray()) {
                out.add(sqlValue(x));
            }
            return out;
        }
        if (v instanceof Struct s) {
            Object[] attrs = s.getAttributes();
            Map<String, Object> out = new LinkedHashMap<>();
            if (v instanceof org.duckdb.DuckDBStruct ds) {
                int i = 0;
                for (Map.Entry<String, Object> e : ds.getMap().entrySet()) {
                    out.put(e.getKey(), sqlValue(attrs[i++]));
                }
                return out;
            }
            for (int i = 0; i < attrs.length; i++) {
                out.put("f" + i, sqlValue(attrs[i]));
            }
            return out;
        }
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : m.entrySet()) {
                out.put(String.valueOf(e.getKey()), sqlValue(e.getValue()));
            }
            return out;
        }
        return v.toString();
    }

    /** Every document gets every column (None where missing); numeric columns with a float become float. */
    static List<Map<String, Object>> unify(List<Map<String, Object>> docs) {
        Set<String> columns = new LinkedHashSet<>();
        docs.forEach(d -> columns.addAll(d.keySet()));
        Set<String> floats = new LinkedHashSet<>();
        for (String c : columns) {
            boolean anyDouble = false;
            boolean allNumbers = true;
            for (Map<String, Object> d : docs) {
                Object v = d.get(c);
                anyDouble |= v instanceof Double;
                allNumbers &= v == null || v instanceof Long || v instanceof Double;
            }
            if (anyDouble && allNumbers) {
                floats.add(c);
            }
        }
        List<Map<String, Object>> out = new ArrayList<>(docs.size());
        for (Map<String, Object> d : docs) {
            Map<String, Object> u = new LinkedHashMap<>();
            for (String c : columns) {
                Object v = d.get(c);
                u.put(c, floats.contains(c) && v instanceof Long l ? (Object) l.doubleValue() : v);
            }
            out.add(u);
        }
        return out;
    }
}
