package dev.ferry.nsq;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's {@code chromium}, headless, driven through Debian's {@code chromium-driver} (Selenium
 * never downloads a browser or a driver here). Where they are missing a test is skipped with a
 * message naming the packages, except under CI ({@code CI=true}), whose {@code .ci/run} installs
 * them: there a missing browser fails the test.
 */
final class HeadlessChromium {
    private static final Path BROWSER = Path.of("/usr/bin/chromium");
    private static final Path DRIVER = Path.of("/usr/bin/chromedriver");

    private HeadlessChromium() {}

    /** A new headless browser with a window of {@code width} x {@code height}; the caller quits it. */
    static ChromeDriver start(int width, int height) {
        boolean present = Files.isExecutable(BROWSER) && Files.isExecutable(DRIVER);
        String missing = "the admin page's browser test needs Debian's chromium and chromium-driver (" + BROWSER + ", "
                + DRIVER + "): apt-get install chromium chromium-driver";
        if (!present && "true".equals(System.getenv("CI"))) {
            throw new IllegalStateException(missing + "; .ci/run installs them, so CI must have them");
        }
        Assumptions.assumeTrue(present, missing);
        ChromeOptions options = new ChromeOptions()
                .setBinary(BROWSER.toFile())
                .addArguments(
                        "--headless=new",
                        "--no-sandbox", // tests run as root in CI's containers
                        "--disable-dev-shm-usage",
                        "--disable-gpu",
                        "--no-first-run",
                        "--window-size=" + width + "," + height);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(DRIVER.toFile())
                .usingAnyFreePort()
                .withTimeout(Duration.ofSeconds(60))
                .build();
        return new ChromeDriver(service, options);
    }
}
