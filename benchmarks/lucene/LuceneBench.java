// LuceneBench is the baseline policybot's benchmark is compared with: Lucene 8 (Debian's
// liblucene8-java), the CJK analyzer (bigrams), BM25, one Lucene document per article of a law with
// the law's title. See run.sh.
//
//   java LuceneBench index CORPUS INDEX     reads every .md/.txt file under CORPUS and indexes it
//   java LuceneBench serve INDEX QUERIES N  opens the index, runs the questions once, then N times timed
//
// Each prints one line of figures: text and time, speed, peak resident memory (VmHWM), size on disk;
// or open time, p50/p95/p99/max latency of the top 5 with their stored text, peak resident memory.
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.*;
import java.util.*;
import java.util.regex.*;
import java.util.stream.*;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.cjk.CJKAnalyzer;
import org.apache.lucene.document.*;
import org.apache.lucene.index.*;
import org.apache.lucene.queryparser.classic.MultiFieldQueryParser;
import org.apache.lucene.queryparser.classic.QueryParser;
import org.apache.lucene.search.*;
import org.apache.lucene.store.FSDirectory;

public class LuceneBench {
    static final Pattern ARTICLE = Pattern.compile("^第[一二三四五六七八九十百千零〇两]+条");
    static final Pattern Q = Pattern.compile("\"q\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");

    public static void main(String[] args) throws Exception {
        if (args.length >= 3 && args[0].equals("index")) {
            index(Paths.get(args[1]), Paths.get(args[2]));
        } else if (args.length >= 4 && args[0].equals("serve")) {
            serve(Paths.get(args[1]), Paths.get(args[2]), Integer.parseInt(args[3]));
        } else {
            System.err.println("usage: LuceneBench index CORPUS INDEX | serve INDEX QUERIES ROUNDS");
            System.exit(2);
        }
    }

    static void index(Path corpus, Path dir) throws IOException {
        long began = System.nanoTime();
        List<Path> files;
        try (Stream<Path> s = Files.walk(corpus)) {
            files = s.filter(p -> Files.isRegularFile(p))
                .filter(p -> !p.toString().contains("/."))
                .filter(p -> { String n = p.getFileName().toString(); return (n.endsWith(".md") || n.endsWith(".txt")) && !n.startsWith("README"); })
                .sorted().collect(Collectors.toList());
        }
        long bytes = 0, docs = 0;
        IndexWriterConfig cfg = new IndexWriterConfig(new CJKAnalyzer());
        cfg.setOpenMode(IndexWriterConfig.OpenMode.CREATE);
        try (IndexWriter w = new IndexWriter(FSDirectory.open(dir), cfg)) {
            for (Path f : files) {
                String text = new String(Files.readAllBytes(f), StandardCharsets.UTF_8).replace("\r\n", "\n");
                bytes += text.getBytes(StandardCharsets.UTF_8).length;
                String id = corpus.relativize(f).toString();
                String title = id;
                String[] paras = text.split("\n\n");
                int start = 0;
                if (paras.length > 0 && paras[0].startsWith("# ")) {
                    title = paras[0].substring(2).trim();
                    for (int i = 0; i < paras.length; i++) {
                        if (paras[i].contains("INFO END")) { start = i + 1; break; }
                    }
                }
                StringBuilder article = new StringBuilder();
                int n = 0;
                for (int i = start; i <= paras.length; i++) {
                    boolean end = i == paras.length;
                    if ((end || ARTICLE.matcher(paras[i]).find()) && article.length() > 0) {
                        Document d = new Document();
                        d.add(new StringField("id", id + "#" + n++, Field.Store.YES));
                        d.add(new TextField("title", title, Field.Store.YES));
                        d.add(new TextField("text", article.toString(), Field.Store.YES));
                        w.addDocument(d);
                        docs++;
                        article.setLength(0);
                    }
                    if (!end) {
                        if (article.length() > 0) article.append("\n\n");
                        article.append(paras[i]);
                    }
                }
            }
            w.forceMerge(1);
            w.commit();
        }
        double secs = (System.nanoTime() - began) / 1e9;
        double mb = bytes / 1048576.0;
        long disk;
        try (Stream<Path> s = Files.walk(dir)) {
            disk = s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
        System.out.printf("lucene index: %d files, %d articles, %.1f MB of text in %.2f s, %.2f MB/s, peak RSS %.0f MB, on disk %.1f MB%n",
            files.size(), docs, mb, secs, mb / secs, vmHWM() / 1024.0, disk / 1048576.0);
    }

    static void serve(Path dir, Path queries, int rounds) throws Exception {
        List<String> qs = new ArrayList<>();
        for (String line : Files.readAllLines(queries, StandardCharsets.UTF_8)) {
            Matcher m = Q.matcher(line);
            if (m.find()) qs.add(m.group(1).replace("\\\"", "\"").replace("\\\\", "\\"));
            else if (!line.isBlank() && !line.startsWith("{")) qs.add(line.trim());
        }
        long began = System.nanoTime();
        DirectoryReader r = DirectoryReader.open(FSDirectory.open(dir));
        IndexSearcher s = new IndexSearcher(r); // BM25 (k1 1.2, b 0.75) is Lucene's default
        Analyzer a = new CJKAnalyzer();
        double open = (System.nanoTime() - began) / 1e9;
        for (String q : qs) search(s, a, q);
        List<Double> lat = new ArrayList<>();
        for (int k = 0; k < rounds; k++) {
            for (String q : qs) {
                long t0 = System.nanoTime();
                search(s, a, q);
                lat.add((System.nanoTime() - t0) / 1e6);
            }
        }
        Collections.sort(lat);
        System.out.printf("lucene search: %d queries, open %.3f s, p50 %.2f ms p95 %.2f ms p99 %.2f ms max %.2f ms, peak RSS %.0f MB%n",
            lat.size(), open, pct(lat, 0.50), pct(lat, 0.95), pct(lat, 0.99), pct(lat, 1.0), vmHWM() / 1024.0);
        r.close();
    }

    static void search(IndexSearcher s, Analyzer a, String q) throws Exception {
        MultiFieldQueryParser p = new MultiFieldQueryParser(new String[] {"text", "title"}, a);
        Query query = p.parse(QueryParser.escape(q));
        TopDocs top = s.search(query, 5);
        for (ScoreDoc sd : top.scoreDocs) s.doc(sd.doc).get("text");
    }

    static double pct(List<Double> lat, double p) {
        if (lat.isEmpty()) return 0;
        return lat.get(Math.min(lat.size() - 1, (int) Math.ceil(p * lat.size()) - 1));
    }

    static long vmHWM() throws IOException {
        for (String l : Files.readAllLines(Paths.get("/proc/self/status"))) {
            if (l.startsWith("VmHWM:")) return Long.parseLong(l.replaceAll("[^0-9]", ""));
        }
        return 0;
    }
}
