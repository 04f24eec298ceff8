#include "support/tls_server.h"

#include <signal.h>

#include <chrono>
#include <stdexcept>
#include <utility>

#include "support/wait.h"

namespace gatewatch::testing {
namespace {

const std::vector<std::string> kEcKey = {"-newkey", "ec", "-pkeyopt",
                                         "ec_paramgen_curve:prime256v1", "-nodes"};

std::vector<std::string> Concat(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

}  // namespace

TestCertificates::TestCertificates() {
  const std::string& d = dir_.path();
  // `openssl ca` is the one CLI path that sets explicit validity dates (expired, not yet
  // valid); it wants a database and a serial file.
  dir_.Write("index.txt", "");
  dir_.Write("serial", "1000\n");
  ca_config_ = dir_.Write("ca.cnf", "[ca]\ndefault_ca = test_ca\n[test_ca]\ndir = " + d +
                                        "\ndatabase = $dir/index.txt\nnew_certs_dir = $dir\n"
                                        "serial = $dir/serial\ndefault_md = sha256\n"
                                        "policy = any\ncopy_extensions = copy\n"
                                        "unique_subject = no\n[any]\ncommonName = supplied\n");
  ca_file_ = d + "/ca.pem";
  ca_key_ = d + "/ca.key";
  Run(Concat({"req", "-x509"}, Concat(kEcKey, {"-keyout", ca_key_, "-out", ca_file_, "-days", "30",
                                               "-subj", "/CN=gatewatch test CA", "-addext",
                                               "basicConstraints=critical,CA:TRUE", "-addext",
                                               "keyUsage=critical,keyCertSign"})));

  self_signed_ = {d + "/self-signed.pem", d + "/self-signed.key"};
  Run(Concat({"req", "-x509"},
             Concat(kEcKey, {"-keyout", self_signed_.key_file, "-out", self_signed_.cert_file,
                             "-days", "30", "-subj", "/CN=localhost", "-addext",
                             "subjectAltName=DNS:localhost,IP:127.0.0.1"})));

  const std::string local = "DNS:localhost,IP:127.0.0.1";
  valid_ = Signed("valid", "localhost", local, {"-days", "30"});
  expired_ = Signed("expired", "localhost", local,
                    {"-startdate", "20200101000000Z", "-enddate", "20200201000000Z"});
  not_yet_valid_ = Signed("not-yet-valid", "localhost", local,
                          {"-startdate", "20990101000000Z", "-enddate", "20991231000000Z"});
  wrong_host_ = Signed("wrong-host", "other.example", "DNS:other.example", {"-days", "30"});
}

TestCertificates::Pair TestCertificates::Signed(const std::string& name, const std::string& cn,
                                                const std::string& san,
                                                const std::vector<std::string>& validity) {
  const std::string base = dir_.path() + "/" + name;
  const Pair pair{base + ".pem", base + ".key"};
  Run(Concat({"req", "-new"},
             Concat(kEcKey, {"-keyout", pair.key_file, "-out", base + ".csr", "-subj", "/CN=" + cn,
                             "-addext", "subjectAltName=" + san})));
  Run(Concat({"ca", "-batch", "-notext", "-config", ca_config_, "-cert", ca_file_, "-keyfile",
              ca_key_, "-in", base + ".csr", "-out", pair.cert_file},
             validity));
  return pair;
}

void TestCertificates::Run(const std::vector<std::string>& args) {
  const RunResult r = RunCommand("openssl", args, std::chrono::seconds(20));
  if (r.exit_code != 0) {
    std::string command = "openssl";
    for (const auto& a : args) command += " " + a;
    throw std::runtime_error(command + " failed (" + std::to_string(r.exit_code) +
                             "): " + r.output);
  }
}

TlsServer::TlsServer(const TestCertificates::Pair& pair, std::vector<std::string> extra_args)
    : pair_(pair), extra_args_(std::move(extra_args)) {}

TlsServer::~TlsServer() {
  if (process_) {
    process_->Signal(SIGKILL);
    process_->Wait(std::chrono::seconds(5));
  }
}

::testing::AssertionResult TlsServer::Start() {
  process_ = std::make_unique<ChildProcess>(
      "openssl", Concat({"s_server", "-www", "-accept", "127.0.0.1:0", "-cert", pair_.cert_file,
                         "-key", pair_.key_file},
                        extra_args_));
  // s_server prints "ACCEPT 127.0.0.1:<port>" once it listens.
  constexpr std::string_view kAccept = "ACCEPT 127.0.0.1:";
  std::string output;
  const bool up = WaitFor(
      [&] {
        output = process_->Output();
        return output.find(kAccept) != std::string::npos || !process_->Running();
      },
      std::chrono::seconds(5));
  const auto at = output.find(kAccept);
  if (!up || at == std::string::npos) {
    return ::testing::AssertionFailure() << "openssl s_server did not start: " << output;
  }
  port_ = std::stoi(output.substr(at + kAccept.size()));
  return ::testing::AssertionSuccess();
}

std::string TlsServer::Url(const std::string& path, const std::string& host) const {
  return "https://" + host + ":" + std::to_string(port_) + path;
}

std::string TlsServer::Output() const { return process_ ? process_->Output() : std::string(); }

}  // namespace gatewatch::testing
