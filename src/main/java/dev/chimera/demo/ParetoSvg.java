package dev.chimera.demo;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * A scatter plot of a two-objective Pareto front as a standalone SVG document, written by hand: axes with ticks and
 * labels, the front's points joined in order of the first objective, labelled reference points (the parents) drawn
 * as squares, a title and a legend.
 */
final class ParetoSvg {
    /** A point in objective space; {@code label} is drawn beside it (may be empty). */
    record Point(double x, double y, String label) {}

    private static final int W = 640;
    private static final int H = 480;
    private static final int LEFT = 80;
    private static final int RIGHT = 30;
    private static final int TOP = 80;
    private static final int BOTTOM = 70;

    private ParetoSvg() {}

    static String render(
            String title,
            String xLabel,
            String yLabel,
            List<Point> front,
            List<Point> references,
            String frontLegend,
            String referenceLegend) {
        List<Point> all = new ArrayList<>(front);
        all.addAll(references);
        Axis ax = Axis.of(all.stream().mapToDouble(Point::x).max().orElse(1));
        Axis ay = Axis.of(all.stream().mapToDouble(Point::y).max().orElse(1));
        double pw = W - LEFT - RIGHT;
        double ph = H - TOP - BOTTOM;
        StringBuilder s = new StringBuilder();
        s.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        s.append(String.format(
                Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\""
                        + " font-family=\"sans-serif\" font-size=\"12\">%n",
                W,
                H,
                W,
                H));
        s.append(String.format(
                Locale.ROOT, "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"white\"/>%n", W, H));
        s.append(String.format(
                Locale.ROOT,
                "<text x=\"%d\" y=\"28\" text-anchor=\"middle\" font-size=\"15\" font-weight=\"bold\">%s</text>%n",
                W / 2,
                xml(title)));
        // grid, ticks and tick labels
        for (int i = 0; i <= ax.ticks(); i++) {
            double v = i * ax.step();
            double x = LEFT + pw * v / ax.max();
            s.append(line(x, TOP, x, TOP + ph, "#e4e4e4"));
            s.append(line(x, TOP + ph, x, TOP + ph + 5, "black"));
            s.append(String.format(
                    Locale.ROOT,
                    "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>%n",
                    x,
                    TOP + ph + 19,
                    ax.format(v)));
        }
        for (int i = 0; i <= ay.ticks(); i++) {
            double v = i * ay.step();
            double y = TOP + ph - ph * v / ay.max();
            s.append(line(LEFT, y, LEFT + pw, y, "#e4e4e4"));
            s.append(line(LEFT - 5, y, LEFT, y, "black"));
            s.append(String.format(
                    Locale.ROOT,
                    "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n",
                    (double) LEFT - 8,
                    y + 4,
                    ay.format(v)));
        }
        s.append(line(LEFT, TOP + ph, LEFT + pw, TOP + ph, "black"));
        s.append(line(LEFT, TOP, LEFT, TOP + ph, "black"));
        s.append(String.format(
                Locale.ROOT,
                "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                LEFT + pw / 2,
                H - 25,
                xml(xLabel)));
        s.append(String.format(
                Locale.ROOT,
                "<text x=\"20\" y=\"%.1f\" text-anchor=\"middle\" transform=\"rotate(-90 20 %.1f)\">%s</text>%n",
                TOP + ph / 2,
                TOP + ph / 2,
                xml(yLabel)));
        // the front, joined along the first objective; members at the same point share one marker and one label
        List<Point> sorted = new ArrayList<>();
        List<List<String>> labels = new ArrayList<>();
        for (Point p : front) {
            int at = -1;
            for (int i = 0; i < sorted.size(); i++) {
                if (sorted.get(i).x() == p.x() && sorted.get(i).y() == p.y()) {
                    at = i;
                }
            }
            if (at < 0) {
                sorted.add(p);
                labels.add(new ArrayList<>());
                at = sorted.size() - 1;
            }
            if (!p.label().isEmpty()) {
                labels.get(at).add(p.label());
            }
        }
        for (int i = 0; i < sorted.size(); i++) {
            List<String> l = labels.get(i);
            String text = String.join(", ", l.subList(0, Math.min(4, l.size())))
                    + (l.size() > 4 ? " +" + (l.size() - 4) : "");
            sorted.set(i, new Point(sorted.get(i).x(), sorted.get(i).y(), text));
        }
        List<double[]> placed = new ArrayList<>();
        sorted.sort(Comparator.comparingDouble(Point::x)
                .thenComparing(Comparator.comparingDouble(Point::y).reversed()));
        if (sorted.size() > 1) {
            StringBuilder pts = new StringBuilder();
            for (Point p : sorted) {
                pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", px(p.x(), ax, pw), py(p.y(), ay, ph)));
            }
            s.append("<polyline fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"1.5\" points=\"")
                    .append(pts.toString().trim())
                    .append("\"/>\n");
        }
        for (Point p : sorted) {
            s.append(String.format(
                    Locale.ROOT,
                    "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"#1f77b4\"/>%n",
                    px(p.x(), ax, pw),
                    py(p.y(), ay, ph)));
            if (!p.label().isEmpty()) {
                s.append(label(placed, px(p.x(), ax, pw), 6, py(p.y(), ay, ph) - 6, p.label(), "#1f77b4"));
            }
        }
        for (Point p : references) {
            double x = px(p.x(), ax, pw);
            double y = py(p.y(), ay, ph);
            s.append(String.format(
                    Locale.ROOT,
                    "<rect x=\"%.1f\" y=\"%.1f\" width=\"9\" height=\"9\" fill=\"#d62728\"/>%n",
                    x - 4.5,
                    y - 4.5));
            s.append(label(placed, x, 8, y + 15, p.label(), "#d62728"));
        }
        // legend, between the title and the plot so it never hides a point
        int ly = 50;
        s.append(String.format(Locale.ROOT, "<circle cx=\"%d\" cy=\"%d\" r=\"4\" fill=\"#1f77b4\"/>%n", LEFT, ly - 4));
        s.append(String.format(
                Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"11\">%s</text>%n", LEFT + 8, ly, xml(frontLegend)));
        s.append(String.format(
                Locale.ROOT,
                "<rect x=\"%.1f\" y=\"%.1f\" width=\"9\" height=\"9\" fill=\"#d62728\"/>%n",
                LEFT - 4.5,
                ly + 14 - 8.5));
        s.append(String.format(
                Locale.ROOT,
                "<text x=\"%d\" y=\"%d\" font-size=\"11\">%s</text>%n",
                LEFT + 8,
                ly + 14,
                xml(referenceLegend)));
        s.append("</svg>\n");
        return s.toString();
    }

    private static double px(double v, Axis a, double pw) {
        return LEFT + pw * v / a.max();
    }

    private static double py(double v, Axis a, double ph) {
        return TOP + ph - ph * v / a.max();
    }

    private static String line(double x1, double y1, double x2, double y2, String color) {
        return String.format(
                Locale.ROOT,
                "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>%n",
                x1,
                y1,
                x2,
                y2,
                color);
    }

    /**
     * A label {@code gap} px right of the point at x, or left of it (anchored at its end) in the plot's right third; moved
     * down a line at a time while it would overlap a label already placed (boxes in {@code placed}: x0, x1, y0, y1).
     */
    private static String label(List<double[]> placed, double x, double gap, double y, String text, String color) {
        boolean left = x > LEFT + 2 * (W - LEFT - RIGHT) / 3.0;
        double width = 7 * text.length();
        double x0 = left ? x - gap - width : x + gap;
        double yy = y;
        for (int tries = 0; tries < 6 && overlaps(placed, x0, x0 + width, yy - 11, yy + 2); tries++) {
            yy += 13;
        }
        placed.add(new double[] {x0, x0 + width, yy - 11, yy + 2});
        return String.format(
                Locale.ROOT,
                "<text x=\"%.1f\" y=\"%.1f\" fill=\"%s\"%s>%s</text>%n",
                left ? x - gap : x + gap,
                yy,
                color,
                left ? " text-anchor=\"end\"" : "",
                xml(text));
    }

    private static boolean overlaps(List<double[]> placed, double x0, double x1, double y0, double y1) {
        for (double[] b : placed) {
            if (x0 < b[1] && b[0] < x1 && y0 < b[3] && b[2] < y1) {
                return true;
            }
        }
        return false;
    }

    static String xml(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    /**
     * An axis from 0 to a round maximum at or above the data, in 3 to 5 steps of 1, 2 or 5 x 10^k; scores
     * are fractions, so an empty or all-zero axis spans 0..1.
     */
    record Axis(double max, double step, int ticks) {
        static Axis of(double dataMax) {
            double top = dataMax > 0 && Double.isFinite(dataMax) ? dataMax : 1;
            double raw = top / 5;
            double mag = Math.pow(10, Math.floor(Math.log10(raw)));
            double step = raw / mag <= 1 ? mag : raw / mag <= 2 ? 2 * mag : raw / mag <= 5 ? 5 * mag : 10 * mag;
            int ticks = (int) Math.ceil(top / step - 1e-9);
            return new Axis(ticks * step, step, ticks);
        }

        String format(double v) {
            int decimals = Math.max(0, (int) -Math.floor(Math.log10(step) + 1e-9));
            return String.format(Locale.ROOT, "%." + decimals + "f", v);
        }
    }
}
