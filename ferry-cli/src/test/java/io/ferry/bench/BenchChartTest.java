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
        // bars are proportional to the medians: raw_copy (about 91k rows/s, grey) is about 5x ferry_sink (about
        // 18k, green); each bar row is counted a few pixels below its top, clear of labels and whiskers
        int copyBar = count(img, 80 + 12, 0x9E9E9E);
        int ferryBar = count(img, 80 + 48 + 12, 0x2E7D32);
        assertThat(ferryBar).isGreaterThan(20);
        assertThat(copyBar).isBetween(ferryBar * 4, ferryBar * 6);
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

    private static int count(BufferedImage img, int y, int rgb) {
        int n = 0;
        for (int x = 0; x < img.getWidth() / 2 + 100; x++) {
            if ((img.getRGB(x, y) & 0xFFFFFF) == rgb) {
                n++;
            }
        }
        return n;
    }
}
