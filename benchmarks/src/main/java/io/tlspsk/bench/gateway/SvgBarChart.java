package io.tlspsk.bench.gateway;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A small horizontal bar chart as SVG text: groups of bars (one bar per series in each group), each bar with its
 * value written after it and, when the value is a median over rounds, a whisker from the smallest to the largest
 * round. Series keep one colour across groups. No scripts, no external fonts: it renders on GitHub as an image.
 */
final class SvgBarChart {

    private static final String[] PALETTE = {"#1f5fa8", "#5b9bd5", "#9cc3e6", "#d9822b", "#8c8c8c", "#3c3c3c",
        "#6a9f3a", "#b04a5a"};
    private static final int WIDTH = 640;
    private static final int LABEL_WIDTH = 170;
    private static final int BAR_AREA = 390;
    private static final int BAR_HEIGHT = 16;
    private static final int GAP = 4;
    private static final int GROUP_GAP = 12;
    private static final int TITLE_HEIGHT = 44;

    private final String title;
    private final String unit;
    private final Map<String, List<Bar>> groups = new LinkedHashMap<>();
    private final Map<String, String> colours = new LinkedHashMap<>();

    private static final class Bar {
        final String series;
        final double value;
        final double min;
        final double max;

        Bar(String series, double value, double min, double max) {
            this.series = series;
            this.value = value;
            this.min = min;
            this.max = max;
        }
    }

    SvgBarChart(String title, String unit) {
        this.title = title;
        this.unit = unit;
    }

    /** Adds a bar to {@code group} (made on first use); {@code min} and {@code max} NaN: no whisker. */
    SvgBarChart bar(String group, String series, double value, double min, double max) {
        if (Double.isNaN(value)) {
            return this;
        }
        colours.computeIfAbsent(series, s -> PALETTE[colours.size() % PALETTE.length]);
        groups.computeIfAbsent(group, g -> new ArrayList<>()).add(new Bar(series, value, min, max));
        return this;
    }

    boolean isEmpty() {
        return groups.isEmpty();
    }

    String render() {
        double top = 0;
        int bars = 0;
        for (List<Bar> g : groups.values()) {
            for (Bar b : g) {
                top = Math.max(top, Double.isNaN(b.max) ? b.value : Math.max(b.value, b.max));
                bars++;
            }
        }
        boolean groupLabels = groups.size() > 1 || !groups.containsKey("");
        int height = TITLE_HEIGHT + bars * (BAR_HEIGHT + GAP) + groups.size() * (GROUP_GAP + (groupLabels ? 18 : 0))
                + 10;
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">%n", WIDTH, height, WIDTH,
                height));
        s.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", WIDTH, height));
        s.append(String.format(Locale.ROOT, "<text x=\"8\" y=\"20\" font-size=\"14\" font-weight=\"bold\">%s</text>%n",
                escape(title)));
        s.append(String.format(Locale.ROOT, "<text x=\"8\" y=\"36\" fill=\"#555\">%s</text>%n", escape(unit)));
        double y = TITLE_HEIGHT;
        double scale = top > 0 ? BAR_AREA / top : 0;
        for (Map.Entry<String, List<Bar>> g : groups.entrySet()) {
            y += GROUP_GAP;
            if (groupLabels) {
                s.append(String.format(Locale.ROOT, "<text x=\"8\" y=\"%.0f\" font-weight=\"bold\">%s</text>%n",
                        y + 12, escape(g.getKey())));
                y += 18;
            }
            for (Bar b : g.getValue()) {
                double w = Math.max(1, b.value * scale);
                s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.0f\" text-anchor=\"end\">%s</text>%n",
                        LABEL_WIDTH - 6, y + BAR_HEIGHT - 4, escape(b.series)));
                s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%.0f\" width=\"%.1f\" height=\"%d\" "
                        + "fill=\"%s\"/>%n", LABEL_WIDTH, y, w, BAR_HEIGHT, colours.get(b.series)));
                double end = w;
                if (!Double.isNaN(b.min) && !Double.isNaN(b.max) && b.max > b.min) {
                    double x1 = LABEL_WIDTH + b.min * scale;
                    double x2 = LABEL_WIDTH + b.max * scale;
                    double mid = y + BAR_HEIGHT / 2.0;
                    s.append(String.format(Locale.ROOT, "<path d=\"M%.1f %.1fH%.1fM%.1f %.1fV%.1fM%.1f %.1fV%.1f\" "
                            + "stroke=\"black\" stroke-width=\"1.2\"/>%n", x1, mid, x2, x1, mid - 4, mid + 4, x2,
                            mid - 4, mid + 4));
                    end = Math.max(end, b.max * scale);
                }
                s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.0f\">%s</text>%n",
                        LABEL_WIDTH + end + 5, y + BAR_HEIGHT - 4, format(b.value)));
                y += BAR_HEIGHT + GAP;
            }
        }
        return s.append("</svg>\n").toString();
    }

    static String format(double v) {
        if (Math.abs(v) >= 100) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        return String.format(Locale.ROOT, Math.abs(v) >= 10 ? "%.1f" : "%.2f", v);
    }

    private static String escape(String t) {
        return t.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
