// The status page in a real browser: the real gatewatch binary probing a real nginx (a healthy
// route, a route whose upstream is dead so nginx answers 502, and a target whose URL and label
// carry markup), an alert rule that fires quickly, and Debian's headless chromium loading the
// pages. The DOM chromium renders (--dump-dom) is checked before and after the page script's
// own refresh, and screenshots are kept under <build>/artifacts/ for CI.
//
// Target names are limited to [A-Za-z0-9_.-] by the config, so the markup goes where a config
// can put it: into a URL path and a label value. Were either not escaped, the DOM would hold an
// element with id="pwned" (the page's Content-Security-Policy would stop its script from
// running, so the element, not the script, is what these tests look for).
//
// Measurements (phone-width overflow, load and refresh times at 1,000 targets) come from a
// small page served by the test on its own loopback port, which also passes every other path
// to the agent: same origin, so it can look into the status page in an iframe without any
// hook in the page itself.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "support/child_process.h"
#include "support/nginx_fixture.h"
#include "support/wait.h"

namespace gatewatch::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr const char* kChromium = "/usr/bin/chromium";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string ArtifactPath(const std::string& name) {
  std::filesystem::create_directories(GATEWATCH_ARTIFACT_DIR);
  return std::string(GATEWATCH_ARTIFACT_DIR) + "/" + name;
}

struct BrowserRun {
  int exit_code = -1;
  std::string out;  // what chromium wrote to stdout (the DOM, with --dump-dom)
  std::string log;  // its stderr
};

// One headless chromium with a fresh profile. Root needs --no-sandbox; the other switches
// keep it off the network (nothing but loopback is ever loaded) and quiet.
BrowserRun RunChromium(const std::vector<std::string>& args, milliseconds limit = seconds(60)) {
  TempDir dir;
  const std::string out = dir.path() + "/stdout";
  std::vector<std::string> argv = {"-c",
                                   "out=$1; shift; exec \"$@\" > \"$out\"",
                                   "sh",
                                   out,
                                   kChromium,
                                   "--headless",
                                   "--no-sandbox",
                                   "--disable-gpu",
                                   "--disable-quic",
                                   "--no-first-run",
                                   "--disable-background-networking",
                                   "--disable-component-update",
                                   "--disable-sync",
                                   "--hide-scrollbars",
                                   "--user-data-dir=" + dir.path() + "/profile"};
  argv.insert(argv.end(), args.begin(), args.end());
  const RunResult r = RunCommand("/bin/sh", argv, limit);
  return {r.exit_code, ReadFile(out), r.output};
}

::testing::AssertionResult ChromiumInstalled() {
  if (std::filesystem::exists(kChromium)) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << kChromium << " is missing: scripts/test.sh installs it (Debian package chromium)";
}

std::string DumpDom(const std::string& url, const std::string& window, int virtual_ms) {
  const BrowserRun r =
      RunChromium({"--window-size=" + window, "--virtual-time-budget=" + std::to_string(virtual_ms),
                   "--dump-dom", url});
  EXPECT_EQ(r.exit_code, 0) << r.log;
  EXPECT_NE(r.out.find("</html>"), std::string::npos) << "no DOM from chromium:\n" << r.log;
  return r.out;
}

void Screenshot(const std::string& url, const std::string& window, const std::string& path,
                const std::vector<std::string>& extra = {}) {
  std::filesystem::remove(path);
  std::vector<std::string> args = {"--window-size=" + window, "--virtual-time-budget=1000",
                                   "--screenshot=" + path};
  args.insert(args.end(), extra.begin(), extra.end());
  args.push_back(url);
  const BrowserRun r = RunChromium(args);
  EXPECT_EQ(r.exit_code, 0) << r.log;
  ASSERT_TRUE(std::filesystem::exists(path)) << r.log;
  EXPECT_GT(std::filesystem::file_size(path), 10'000u) << "an empty page? " << path;
  std::printf("screenshot: %s\n", path.c_str());
}

// The real agent, from a config; its port is whatever it bound (listen = 127.0.0.1:0).
class Agent {
 public:
  explicit Agent(const std::string& config) {
    const std::string path = dir_.Write("gatewatch.toml", config);
    process_ = std::make_unique<ChildProcess>(GATEWATCH_BINARY,
                                              std::vector<std::string>{"--config", path});
    const std::regex listening("http: listening on 127\\.0\\.0\\.1:(\\d+)");
    WaitFor(
        [&] {
          std::smatch m;
          const std::string out = process_->Output();
          if (!std::regex_search(out, m, listening)) return !process_->Running();
          port_ = std::stoi(m[1]);
          return true;
        },
        seconds(10));
  }
  ~Agent() {
    process_->Signal(SIGTERM);
    process_->Wait(seconds(10));
  }
  int port() const { return port_; }
  std::string Url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  std::string Output() const { return process_->Output(); }
  httplib::Result Get(const std::string& path) const {
    httplib::Client client("127.0.0.1", port_);
    client.set_connection_timeout(seconds(2));
    client.set_read_timeout(seconds(10));
    return client.Get(path);
  }
  nlohmann::json GetJson(const std::string& path) const {
    auto res = Get(path);
    if (!res || res->status != 200) return nullptr;
    return nlohmann::json::parse(res->body, nullptr, false);
  }

 private:
  TempDir dir_;
  std::unique_ptr<ChildProcess> process_;
  int port_ = 0;
};

// The measuring page and a pass-through to the agent, on one origin. /__measure.html?w=&h=
// loads the status page into an iframe of that size and, once it has loaded, reads its layout
// width and navigation timing, then sets off the page's own refresh (a visibilitychange, as
// when a tab comes back) and waits for its performance measure. The result is POSTed to
// /__result; the page's load event is held (an image from /__hold) until then, so chromium's
// --dump-dom returns only after the measuring is done.
class MeasuringProxy {
 public:
  explicit MeasuringProxy(int agent_port) : agent_port_(agent_port) {
    server_.Get("/__measure.html", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(kMeasurePage, "text/html; charset=utf-8");
    });
    server_.Post("/__result", [this](const httplib::Request& req, httplib::Response& res) {
      {
        std::lock_guard lock(mu_);
        result_ = req.body;
      }
      cv_.notify_all();
      res.status = 204;
    });
    server_.Get("/__hold", [this](const httplib::Request&, httplib::Response& res) {
      std::unique_lock lock(mu_);
      cv_.wait_for(lock, seconds(40), [this] { return !result_.empty(); });
      res.status = 204;
    });
    server_.Get(".*", [this](const httplib::Request& req, httplib::Response& res) {
      // Bodies pass through as the agent sent them (gzip when the browser asked), so the
      // timings are what a browser talking to the agent sees.
      httplib::Client agent("127.0.0.1", agent_port_);
      agent.set_read_timeout(seconds(20));
      agent.set_decompress(false);
      httplib::Headers headers;
      if (req.has_header("Accept-Encoding")) {
        headers.emplace("Accept-Encoding", req.get_header_value("Accept-Encoding"));
      }
      auto answer = agent.Get(req.target, headers);
      if (!answer) {
        res.status = 502;
        return;
      }
      res.status = answer->status;
      for (const char* name : {"Content-Security-Policy", "Cache-Control", "Content-Encoding"}) {
        if (answer->has_header(name)) res.set_header(name, answer->get_header_value(name));
      }
      res.set_content(answer->body, answer->get_header_value("Content-Type"));
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    WaitFor([this] { return server_.is_running(); }, seconds(5));
  }
  ~MeasuringProxy() {
    {
      std::lock_guard lock(mu_);
      if (result_.empty()) result_ = "{}";
    }
    cv_.notify_all();
    server_.stop();
    thread_.join();
  }

  // Loads the status page at w x h in chromium and returns what the measuring page found.
  nlohmann::json Measure(int w, int h) {
    {
      std::lock_guard lock(mu_);
      result_.clear();
    }
    const std::string size = std::to_string(w) + "," + std::to_string(h);
    const BrowserRun r =
        RunChromium({"--window-size=" + size, "--dump-dom",
                     "http://127.0.0.1:" + std::to_string(port_) +
                         "/__measure.html?w=" + std::to_string(w) + "&h=" + std::to_string(h)});
    std::lock_guard lock(mu_);
    EXPECT_FALSE(result_.empty()) << "the measuring page never reported:\n" << r.out << r.log;
    return nlohmann::json::parse(result_.empty() ? "{}" : result_, nullptr, false);
  }

 private:
  static constexpr const char* kMeasurePage = R"html(<!doctype html>
<html><head><meta charset="utf-8"><title>measure</title></head>
<body style="margin:0">
<script>
const q = new URLSearchParams(location.search);
const frame = document.createElement('iframe');
frame.width = q.get('w');
frame.height = q.get('h');
frame.style.border = '0';
frame.src = '/';
const report = out => fetch('/__result', {method: 'POST', body: JSON.stringify(out)});
frame.onload = () => {
  const w = frame.contentWindow, d = frame.contentDocument;
  const nav = w.performance.getEntriesByType('navigation')[0];
  const out = {
    scroll_width: d.documentElement.scrollWidth, client_width: d.documentElement.clientWidth,
    rows: d.querySelectorAll('#targets tbody tr').length,
    response_end_ms: nav.responseEnd, dom_content_loaded_ms: nav.domContentLoadedEventEnd,
    transfer_bytes: nav.transferSize, html_bytes: nav.decodedBodySize};
  const started = w.performance.now();
  d.dispatchEvent(new Event('visibilitychange'));
  const poll = setInterval(() => {
    const done = w.performance.getEntriesByName('gatewatch-refresh');
    const fetched = w.performance.getEntriesByName('gatewatch-fetch');
    if (done.length) {
      clearInterval(poll);
      out.refresh_render_ms = done[0].duration;
      out.refresh_total_ms = done[0].startTime + done[0].duration - fetched[0].startTime;
      out.rows_after_refresh = d.querySelectorAll('#targets tbody tr').length;
      out.updated = d.getElementById('updated').textContent;
      report(out);
    } else if (w.performance.now() - started > 30000) {
      clearInterval(poll);
      out.error = 'no refresh within 30 s: ' + d.getElementById('updated').textContent;
      report(out);
    }
  }, 20);
};
document.body.append(frame);
const hold = new Image();
hold.src = '/__hold';
document.body.append(hold);
</script>
</body></html>
)html";

  int agent_port_;
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::mutex mu_;
  std::condition_variable cv_;
  std::string result_;
};

std::size_t Count(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

// What the status page must show, whoever rendered it (the server, or the script's refresh).
void ExpectStatusPage(const std::string& dom) {
  SCOPED_TRACE(dom);
  // Both targets of the gateway, the failing one first.
  const auto rows = dom.find("<tbody>");
  ASSERT_NE(rows, std::string::npos);
  const auto checkout = dom.find(
      "<tr class=\"down\"><th scope=\"row\"><a href=\"/target/checkout\">checkout</a>", rows);
  const auto healthy = dom.find(
      "<tr class=\"up\"><th scope=\"row\"><a href=\"/target/shop-api\">shop-api</a>", rows);
  ASSERT_NE(checkout, std::string::npos);
  ASSERT_NE(healthy, std::string::npos);
  EXPECT_LT(checkout, healthy);
  EXPECT_NE(dom.find("<span class=\"st down\">DOWN</span>"), std::string::npos);
  EXPECT_NE(dom.find("<span class=\"st up\">UP</span>"), std::string::npos);
  // The firing alert, on top.
  const auto alert = dom.find(
      "<li class=\"alert firing\"><span class=\"badge\">FIRING</span> "
      "<strong>gateway-502</strong> on <a href=\"/target/checkout\">");
  ASSERT_NE(alert, std::string::npos);
  EXPECT_LT(alert, checkout);
  EXPECT_NE(dom.find("502 ratio <b>100.0%</b> above 50.0%"), std::string::npos);
  // Why: the diagnosis, and who answered.
  EXPECT_NE(dom.find("502 from nginx (gateway): the gateway got no valid answer from its "
                     "upstream"),
            std::string::npos);
  EXPECT_NE(dom.find("502<span class=\"sub\">nginx (gateway)</span>"), std::string::npos);
  // A chart per target, with 502 bars for the failing one.
  EXPECT_EQ(Count(dom, "<svg class=\"spark\""), 3u);
  EXPECT_NE(dom.find("<path class=\"r\" d=\"M"), std::string::npos);
  EXPECT_NE(dom.find("<path class=\"l\" d=\"M"), std::string::npos);
  // The markup target is shown as text, and nothing it carried became an element.
  EXPECT_NE(dom.find("<a href=\"/target/markup-probe\">markup-probe</a>"), std::string::npos);
  EXPECT_NE(dom.find("/x&lt;script&gt;document.body.dataset.pwned=1&lt;/script&gt;"),
            std::string::npos);
  EXPECT_NE(dom.find("note=&lt;img src=x id=pwned onerror=\"document.body.dataset.pwned=2\"&gt;"),
            std::string::npos);
  EXPECT_EQ(dom.find("id=\"pwned\""), std::string::npos);
  EXPECT_EQ(dom.find("<img"), std::string::npos);
  EXPECT_EQ(dom.find("<script>document"), std::string::npos);
  EXPECT_EQ(dom.find("data-pwned"), std::string::npos);
}

constexpr const char* kConfig = R"toml(
[agent]
listen = "127.0.0.1:0"
windows = ["2s", "1m"]

[defaults]
interval = "200ms"
timeout = "200ms"

[[target]]
name = "shop-api"
url = "NGINX/api/health"
labels = { team = "shop" }

[[target]]
name = "checkout"
url = "NGINX/checkout/health"
labels = { team = "payments" }

[[target]]
name = "markup-probe"
url = "NGINX/x<script>document.body.dataset.pwned=1</script>"
labels = { note = '<img src=x id=pwned onerror="document.body.dataset.pwned=2">' }

[[alert]]
name = "gateway-502"
targets = ["checkout"]
signal = "502_ratio"
window = "2s"
above = 0.5
min_samples = 3
severity = "critical"
)toml";

std::string ConfigFor(const NginxFixture& nginx, std::string config) {
  const std::string base = nginx.Url("");
  for (auto at = config.find("NGINX"); at != std::string::npos; at = config.find("NGINX")) {
    config.replace(at, 5, base);
  }
  return config;
}

class StatusPageInBrowser : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(ChromiumInstalled());
    nginx_.AddStatic("/api/health", 200, R"({"status":"UP"})");
    nginx_.AddDeadProxy("/checkout/health");
    ASSERT_TRUE(nginx_.Start());
    agent_ = std::make_unique<Agent>(ConfigFor(nginx_, kConfig));
    ASSERT_GT(agent_->port(), 0) << agent_->Output();
    // The alert fires once the 2 s window holds 3 probes, all 502.
    ASSERT_TRUE(WaitFor(
        [&] {
          const auto doc = agent_->GetJson("/api/v1/alerts");
          if (!doc.is_object()) return false;
          for (const auto& a : doc["alerts"]) {
            if (a["alert"] == "gateway-502" && a["state"] == "firing") return true;
          }
          return false;
        },
        seconds(20)))
        << agent_->Output();
    // A few sparkline points (1 s each), so the chart has a shape to check and to show.
    ASSERT_TRUE(WaitFor(
        [&] {
          const auto doc = agent_->GetJson("/api/v1/targets?target=checkout");
          if (!doc.is_object()) return false;
          int points = 0;
          for (const auto& v : doc["targets"][0]["sparkline"]["latency_seconds"]) {
            points += v.is_null() ? 0 : 1;
          }
          return points >= 4;
        },
        seconds(15)))
        << agent_->Output();
  }

  NginxFixture nginx_;
  std::unique_ptr<Agent> agent_;
};

TEST_F(StatusPageInBrowser, ShowsTheFailingTargetWhyAndTheAlertAndEscapesMarkup) {
  // As served: the server-rendered page, before the script's first refresh (10 s).
  const std::string served = DumpDom(agent_->Url("/"), "1280,900", 1000);
  ExpectStatusPage(served);
  EXPECT_NE(served.find("<span id=\"updated\" role=\"status\">as of <time"), std::string::npos);

  // After the script refreshed it from the JSON API (virtual time runs past 10 s).
  const std::string refreshed = DumpDom(agent_->Url("/"), "1280,900", 12'000);
  ExpectStatusPage(refreshed);
  EXPECT_NE(refreshed.find("<span id=\"updated\" role=\"status\">live, updated "),
            std::string::npos)
      << refreshed;

  Screenshot(agent_->Url("/"), "1280,900", ArtifactPath("status-page.png"));
  Screenshot(agent_->Url("/"), "1280,900", ArtifactPath("status-page-dark.png"),
             {"--blink-settings=preferredColorScheme=0"});
}

TEST_F(StatusPageInBrowser, DetailViewShowsTheLastResultsWithWaterfalls) {
  for (const int budget : {1000, 12'000}) {
    const std::string dom = DumpDom(agent_->Url("/target/checkout"), "1280,900", budget);
    SCOPED_TRACE(dom);
    EXPECT_NE(dom.find("<h1>checkout</h1>"), std::string::npos);
    EXPECT_NE(dom.find("<p class=\"why\">502 from nginx (gateway): the gateway got no valid "
                       "answer from its upstream"),
              std::string::npos);
    EXPECT_NE(dom.find("<strong>gateway-502</strong> on checkout"), std::string::npos);
    EXPECT_GE(Count(dom, "<span class=\"st down\">FAIL</span> 502 from nginx (gateway)"), 10u);
    EXPECT_GE(Count(dom, "<svg class=\"wf\""), 10u);
    EXPECT_NE(dom.find("<rect class=\"ttfb\""), std::string::npos);
    EXPECT_NE(dom.find("<rect class=\"connect\""), std::string::npos);
    EXPECT_EQ(dom.find("recent-missing"), std::string::npos);
    if (budget > 10'000) {
      EXPECT_NE(dom.find("live, updated "), std::string::npos);
    }
  }
  const std::string markup = DumpDom(agent_->Url("/target/markup-probe"), "1280,900", 12'000);
  EXPECT_NE(markup.find("/x&lt;script&gt;document.body.dataset.pwned=1&lt;/script&gt;"),
            std::string::npos)
      << markup;
  EXPECT_EQ(markup.find("id=\"pwned\""), std::string::npos);
  EXPECT_EQ(markup.find("data-pwned"), std::string::npos);
  Screenshot(agent_->Url("/target/checkout"), "1280,900", ArtifactPath("status-target.png"));
}

TEST_F(StatusPageInBrowser, FitsAPhoneWithoutSidewaysScrolling) {
  MeasuringProxy proxy(agent_->port());
  const auto m = proxy.Measure(390, 844);
  std::printf("phone width: %s\n", m.dump().c_str());
  ASSERT_TRUE(m.contains("scroll_width")) << m.dump();
  EXPECT_EQ(m["client_width"], 390);
  EXPECT_LE(m["scroll_width"].get<int>(), m["client_width"].get<int>()) << "sideways overflow";
  EXPECT_EQ(m["rows"], 3);
  EXPECT_EQ(m["rows_after_refresh"], 3) << m.dump();
  Screenshot(agent_->Url("/"), "390,844", ArtifactPath("status-page-phone.png"));
}

// 1,000 targets (one in ten behind a dead upstream): the page's size, and how long chromium
// takes to show it and to re-render it from the JSON. The numbers are printed (the README
// quotes them); the bounds only catch a blow-up.
TEST(StatusPageAtScale, AThousandTargetsLoadAndRefreshQuickly) {
  ASSERT_TRUE(ChromiumInstalled());
  NginxFixture nginx;
  nginx.AddStatic("/ok", 200, "ok");
  nginx.AddDeadProxy("/dead");
  ASSERT_TRUE(nginx.Start());
  std::string config =
      "[agent]\nlisten = \"127.0.0.1:0\"\n\n[defaults]\ninterval = \"5s\"\ntimeout = \"1s\"\n";
  for (int i = 0; i < 1000; ++i) {
    config += "\n[[target]]\nname = \"target-" + std::to_string(i) + "\"\nurl = \"" +
              nginx.Url(i % 10 == 0 ? "/dead" : "/ok") + "?n=" + std::to_string(i) + "\"\n";
  }
  Agent agent(config);
  ASSERT_GT(agent.port(), 0) << agent.Output();
  ASSERT_TRUE(WaitFor(
      [&] {
        auto res = agent.Get("/readyz");
        return res && res->status == 200;
      },
      seconds(30)))
      << agent.Output().substr(0, 4000);

  const auto start = std::chrono::steady_clock::now();
  auto page = agent.Get("/");
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(page);
  auto json = agent.Get("/api/v1/targets");
  ASSERT_TRUE(json);

  MeasuringProxy proxy(agent.port());
  const auto m = proxy.Measure(1280, 900);
  std::printf(
      "1,000 targets: HTML %zu bytes (served in %.0f ms), /api/v1/targets %zu bytes; "
      "chromium: %s\n",
      page->body.size(), std::chrono::duration<double, std::milli>(took).count(), json->body.size(),
      m.dump().c_str());
  ASSERT_TRUE(m.contains("rows")) << m.dump();
  EXPECT_EQ(m["rows"], 1000);
  EXPECT_EQ(m["rows_after_refresh"], 1000) << m.dump();
  EXPECT_LT(page->body.size(), 1'400'000u);
  EXPECT_LT(m["dom_content_loaded_ms"].get<double>(), 10'000);
  EXPECT_LT(m["refresh_render_ms"].get<double>(), 5'000);
}

}  // namespace
}  // namespace gatewatch::testing
