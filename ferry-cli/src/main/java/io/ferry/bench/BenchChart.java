package io.ferry.bench;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * chart.png of a bench run, drawn with the JDK alone: full-load throughput per system (median bar, min-max whisker)
 * on the left, CDC latency percentiles per change rate on the right.
 */
final class BenchChart {

    private static final int W = 1200;
    private static final int H = 520;
    private static final Color[] PERCENTILES = {new Color(0x4C78A8), new Color(0xF58518), new Color(0xE45756)};

    private BenchChart() {
    }

    static void write(Path file, List<Measurement> results, List<CdcLatency.Result> cdc, String title) throws IOException {
        BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, W, H);
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
            g.drawString(title, 20, 28);
            throughput(g, results, 20, 60, 700, 420);
            latency(g, cdc, 760, 60, 420, 420);
        } finally {
            g.dispose();
        }
        ImageIO.write(img, "png", file.toFile());
    }

    private static void throughput(Graphics2D g, List<Measurement> results, int x, int y, int w, int h) {
        // the converters' decode rates are component figures (in the report's table), not loads: they would dwarf the rest
        List<Measurement> measured = results.stream().filter(Measurement::measured)
                .filter(m -> !m.system.startsWith("converter_decode") && !m.system.startsWith("select_star")
                        && !m.system.startsWith("ferry_verify")).toList();
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
        g.setColor(Color.BLACK);
        g.drawString("Full load, rows/s (bar: median, line: min-max)", x, y);
        if (measured.isEmpty()) {
            return;
        }
        double max = measured.stream().mapToDouble(Measurement::maxRowsPerSecond).max().orElse(1);
        int labelW = 265;
        int barArea = w - labelW - 90;
        int rowH = Math.min(48, (h - 30) / measured.size());
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        for (int i = 0; i < measured.size(); i++) {
            Measurement m = measured.get(i);
            int top = y + 20 + i * rowH;
            int bar = (int) (barArea * m.medianRowsPerSecond() / max);
            g.setColor(Color.BLACK);
            g.drawString(m.system, x, top + rowH / 2 + 4);
            g.setColor(m.system.startsWith("ferry") ? new Color(0x2E7D32) : new Color(0x9E9E9E));
            g.fillRect(x + labelW, top + 6, Math.max(bar, 1), rowH - 14);
            g.setColor(Color.BLACK);
            g.setStroke(new BasicStroke(2));
            int lo = x + labelW + (int) (barArea * m.minRowsPerSecond() / max);
            int hi = x + labelW + (int) (barArea * m.maxRowsPerSecond() / max);
            g.drawLine(lo, top + rowH / 2, hi, top + rowH / 2);
            g.drawString(String.format("%,.0f", m.medianRowsPerSecond()), x + labelW + Math.max(bar, hi - x - labelW) + 6,
                    top + rowH / 2 + 4);
        }
    }

    private static void latency(Graphics2D g, List<CdcLatency.Result> all, int x, int y, int w, int h) {
        // the unthrottled rate's lag is in tens of seconds and is in the report's table; drawn, it hides the rest
        List<CdcLatency.Result> cdc = all.stream().filter(r -> r.targetRate() > 0).toList();
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
        g.setColor(Color.BLACK);
        g.drawString("CDC latency at set rates, seconds (p50, p95, p99)", x, y);
        if (cdc.isEmpty()) {
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            g.drawString("not measured in this run", x, y + 30);
            return;
        }
        double max = Math.max(1.0, cdc.stream().mapToDouble(CdcLatency.Result::p99).max().orElse(1));
        int plotH = h - 60;
        int base = y + 20 + plotH;
        int groupW = (w - 40) / cdc.size();
        int barW = Math.max(6, (groupW - 20) / 3);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        for (int i = 0; i < cdc.size(); i++) {
            CdcLatency.Result r = cdc.get(i);
            double[] values = {r.p50(), r.p95(), r.p99()};
            int gx = x + 30 + i * groupW;
            for (int p = 0; p < 3; p++) {
                int bh = (int) (plotH * values[p] / max);
                g.setColor(PERCENTILES[p]);
                g.fillRect(gx + p * barW, base - bh, barW - 2, bh);
                g.setColor(Color.BLACK);
                g.drawString(String.format("%.2f", values[p]), gx + p * barW, base - bh - 3);
            }
            String rate = r.targetRate() == 0 ? "max" : String.format("%,d/s", r.targetRate());
            g.drawString(rate, gx, base + 14);
            g.drawString(String.format("%,.0f/s", r.achievedRate()), gx, base + 27);
            g.drawString(r.sink().replace("debezium_jdbc", "dbz-jdbc"), gx, base + 40);
        }
        g.drawLine(x + 20, base, x + w, base);
        g.setColor(Color.GRAY);
        int oneSecond = base - (int) (plotH / max);
        g.drawLine(x + 20, oneSecond, x + w, oneSecond);
        g.drawString("1 s", x, oneSecond + 4);
    }
}
