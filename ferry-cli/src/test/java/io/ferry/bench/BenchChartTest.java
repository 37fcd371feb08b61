package io.ferry.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class BenchChartTest {

    @Test
    void drawsBarsProportionalToTheMedians(@TempDir Path dir) throws Exception {
        assumeTrue(canDrawText(), "this JDK has no fonts to draw text with (the bench then reports without a chart)");
        Measurement copy = new Measurement("raw_copy", 1000, 100_000);
        copy.seconds.addAll(List.of(0.01, 0.012, 0.011));
        Measurement ferry = new Measurement("ferry_sink", 1000, 100_000);
        ferry.seconds.addAll(List.of(0.05, 0.06, 0.055));
        Path png = dir.resolve("chart.png");
        BenchChart.write(png, List.of(copy, ferry, Measurement.skipped("pgloader", "not installed")),
                List.of(new CdcLatency.Result(1000, 990, 3000, 0.2, 0.3, 0.4, 0.5, 1.0)), "test");
        BufferedImage img = ImageIO.read(png.toFile());
        assertThat(img.getWidth()).isEqualTo(1200);
        // the raw_copy bar (the largest) reaches further right than the ferry_sink bar (about a fifth of it)
        assertThat(barEnd(img, 60 + 20 + 24)).isGreaterThan(barEnd(img, 60 + 20 + 48 + 24) + 200);
    }

    private static boolean canDrawText() {
        try {
            var g = new BufferedImage(10, 10, BufferedImage.TYPE_INT_RGB).createGraphics();
            g.drawString("x", 0, 5);
            g.dispose();
            return true;
        } catch (RuntimeException | Error e) {
            return false;
        }
    }

    /** The last non-white pixel of the bar area on row y, before the value label. */
    private static int barEnd(BufferedImage img, int y) {
        int end = 0;
        for (int x = 190; x < 630; x++) {
            int rgb = img.getRGB(x, y) & 0xFFFFFF;
            if (rgb != 0xFFFFFF && rgb != 0x000000) {
                end = x;
            }
        }
        return end;
    }
}
