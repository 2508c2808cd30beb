#include "sync/taxii_client.h"

#include <openssl/ssl.h>

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/json.hpp>
#include <boost/url/parse.hpp>
#include <optional>
#include <thread>

namespace tabadul::sync {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using tcp = asio::ip::tcp;

constexpr char kTaxiiMedia[] = "application/taxii+json;version=2.1";

std::string Base64(std::string_view in) {
  static const char* kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out += kAlphabet[(v >> s) & 63];
  }
  if (i + 1 == in.size()) {
    uint32_t v = uint8_t(in[i]) << 16;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += "==";
  } else if (i + 2 == in.size()) {
    uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

// The Retry-After delay: delta-seconds, or (for an HTTP date, which needs a clock we do not
// read here) the backoff cap. nullopt when absent or unreadable.
std::optional<std::chrono::milliseconds> RetryAfter(const HttpReply& reply,
                                                    std::chrono::milliseconds cap) {
  std::string v = reply.Header("retry-after");
  if (v.empty()) return std::nullopt;
  if (std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    if (v.size() > 6) return cap;
    return std::min<std::chrono::milliseconds>(std::chrono::seconds(std::stoi(v)), cap);
  }
  return cap;
}

bool Retryable(int status) { return status == 429 || status == 503 || status >= 500; }

Status StatusForReply(const HttpReply& r, std::string_view what) {
  std::string detail = std::string(what) + ": HTTP " + std::to_string(r.status);
  try {
    auto v = json::parse(r.body);
    if (v.is_object()) {
      if (auto* t = v.as_object().if_contains("title"); t && t->is_string()) {
        detail += " (" + std::string(t->as_string()) + ")";
      }
    }
  } catch (...) {
  }
  switch (r.status) {
    case 401: return Unauthenticated(detail);
    case 403: return PermissionDenied(detail);
    case 404: return NotFound(detail);
    case 406:
    case 415: return Unsupported(detail);
    case 413:
    case 429: return ResourceExhausted(detail);
    default: return r.status >= 500 ? Internal(detail) : InvalidArgument(detail);
  }
}

Result<json::object> ParseJsonObject(const std::string& body, std::string_view what) {
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec || !v.is_object()) return InvalidArgument(std::string(what) + ": not a JSON object");
  return std::move(v.as_object());
}

std::string StringField(const json::object& o, std::string_view key) {
  if (auto* v = o.if_contains(key); v && v->is_string()) return std::string(v->as_string());
  return {};
}

bool BoolField(const json::object& o, std::string_view key) {
  if (auto* v = o.if_contains(key); v && v->is_bool()) return v->as_bool();
  return false;
}

int64_t IntField(const json::object& o, std::string_view key) {
  if (auto* v = o.if_contains(key); v && v->is_int64()) return v->as_int64();
  if (auto* v = o.if_contains(key); v && v->is_uint64()) return static_cast<int64_t>(v->as_uint64());
  return 0;
}

std::string Query(const PageRequest& r) {
  std::string q;
  auto add = [&q](std::string_view k, const std::string& v) {
    q += q.empty() ? '?' : '&';
    q += k;
    q += '=';
    q += PercentEncode(v);
  };
  if (!r.added_after.empty()) add("added_after", r.added_after);
  if (!r.match_version.empty()) add("match%5Bversion%5D", r.match_version);
  if (!r.match_ids.empty()) {
    std::string ids;
    for (const auto& id : r.match_ids) ids += (ids.empty() ? "" : ",") + id;
    add("match%5Bid%5D", ids);
  }
  if (r.limit > 0) add("limit", std::to_string(r.limit));
  if (!r.next.empty()) add("next", r.next);
  return q;
}

std::string CollectionPath(const std::string& root, const std::string& collection) {
  std::string p = root;
  if (p.empty() || p.back() != '/') p += '/';
  return p + "collections/" + PercentEncode(collection) + "/";
}

Result<RemoteStatus> ParseStatus(const std::string& body) {
  TABADUL_ASSIGN_OR_RETURN(json::object o, ParseJsonObject(body, "status resource"));
  RemoteStatus s;
  s.id = StringField(o, "id");
  s.status = StringField(o, "status");
  if (s.id.empty() || s.status.empty()) {
    return InvalidArgument("status resource: `id` or `status` missing");
  }
  s.total_count = IntField(o, "total_count");
  s.success_count = IntField(o, "success_count");
  s.failure_count = IntField(o, "failure_count");
  s.pending_count = IntField(o, "pending_count");
  if (auto* f = o.if_contains("failures"); f && f->is_array()) {
    for (const auto& item : f->as_array()) {
      if (!item.is_object()) continue;
      s.failures.emplace_back(StringField(item.as_object(), "id"),
                              StringField(item.as_object(), "message"));
    }
  }
  return s;
}

}  // namespace

std::string PercentEncode(std::string_view text) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

struct TaxiiClient::Impl {
  ClientOptions options;
  bool tls = false;
  std::string host;
  std::string port;
  std::string authorization;
  asio::io_context io;
  std::unique_ptr<asio::ssl::context> ssl_ctx;
  std::unique_ptr<beast::tcp_stream> plain;
  std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> secure;
  beast::flat_buffer buffer;
  int64_t sent = 0;
  uint64_t jitter_state = 0x9e3779b97f4a7c15ull;

  void Close() {
    boost::system::error_code ec;
    if (plain) plain->socket().close(ec);
    if (secure) beast::get_lowest_layer(*secure).socket().close(ec);
    plain.reset();
    secure.reset();
    buffer.clear();
  }

  beast::tcp_stream& Lowest() { return tls ? beast::get_lowest_layer(*secure) : *plain; }

  Status Connect() {
    try {
      tcp::resolver resolver(io);
      auto endpoints = resolver.resolve(host, port);
      if (tls) {
        secure = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(io, *ssl_ctx);
        if (!SSL_set_tlsext_host_name(secure->native_handle(), host.c_str())) {
          return Internal("TLS: cannot set SNI host name");
        }
        secure->set_verify_callback(asio::ssl::host_name_verification(host));
      } else {
        plain = std::make_unique<beast::tcp_stream>(io);
      }
      Lowest().expires_after(options.timeout);
      Lowest().connect(endpoints);
      if (tls) secure->handshake(asio::ssl::stream_base::client);
      return Status::Ok();
    } catch (const boost::system::system_error& e) {
      Close();
      return Internal("cannot connect to " + host + ":" + port + ": " + e.code().message());
    }
  }

  // One attempt on the wire. Transport failures close the connection.
  Result<HttpReply> Once(const std::string& method, const std::string& target,
                         const std::string& body) {
    if (!plain && !secure) TABADUL_RETURN_IF_ERROR(Connect());
    http::request<http::string_body> req;
    req.method(http::string_to_verb(method));
    req.target(target);
    req.version(11);
    req.set(http::field::host, host);
    req.set(http::field::accept, kTaxiiMedia);
    req.set(http::field::user_agent, "tabadul-sync/0.1");
    if (!authorization.empty()) req.set(http::field::authorization, authorization);
    if (!body.empty() || method == "POST") {
      req.set(http::field::content_type, kTaxiiMedia);
      req.body() = body;
    }
    req.prepare_payload();
    ++sent;
    try {
      Lowest().expires_after(options.timeout);
      http::response_parser<http::string_body> parser;
      parser.body_limit(1ull << 31);
      if (tls) {
        http::write(*secure, req);
        http::read(*secure, buffer, parser);
      } else {
        http::write(*plain, req);
        http::read(*plain, buffer, parser);
      }
      auto& res = parser.get();
      HttpReply reply;
      reply.status = static_cast<int>(res.result_int());
      for (const auto& f : res) {
        std::string name(f.name_string());
        std::transform(name.begin(), name.end(), name.begin(), ::tolower);
        reply.headers[name] = std::string(f.value());
      }
      reply.body = std::move(res.body());
      if (!res.keep_alive()) Close();
      return reply;
    } catch (const boost::system::system_error& e) {
      Close();
      return Internal(method + " " + target + ": " + e.code().message());
    }
  }

  std::chrono::milliseconds Backoff(int attempt) {
    std::chrono::milliseconds d(options.backoff_base.count() * (int64_t{1} << std::min(attempt, 20)));
    d = std::min(d, options.backoff_max);
    jitter_state = jitter_state * 6364136223846793005ull + 1442695040888963407ull;
    auto jitter = std::chrono::milliseconds((jitter_state >> 33) % (d.count() / 4 + 1));
    return d + jitter;
  }

  void Sleep(std::chrono::milliseconds d) {
    if (options.sleep) {
      options.sleep(d);
    } else {
      std::this_thread::sleep_for(d);
    }
  }

  Result<HttpReply> Send(const std::string& method, const std::string& target,
                         const std::string& body) {
    Status last = Internal("no attempt made");
    for (int attempt = 0; attempt < std::max(1, options.max_attempts); ++attempt) {
      if (attempt > 0) {
        // A stale kept-alive connection closed by the server fails at once: reconnect first.
      }
      auto reply = Once(method, target, body);
      const bool final_attempt = attempt + 1 >= options.max_attempts;
      if (reply.ok() && !Retryable(reply->status)) return reply;
      if (reply.ok()) {
        if (final_attempt) return reply;
        auto wait = RetryAfter(*reply, options.backoff_max);
        Close();  // a server answering 5xx may be restarting; start afresh
        Sleep(wait ? *wait : Backoff(attempt));
        continue;
      }
      last = reply.status();
      if (final_attempt) break;
      // The first retry after a transport error is immediate: the usual cause is a kept-alive
      // connection the server closed while idle.
      if (attempt > 0) Sleep(Backoff(attempt));
    }
    return last;
  }
};

TaxiiClient::TaxiiClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
TaxiiClient::~TaxiiClient() {
  if (impl_) impl_->Close();
}

Result<std::unique_ptr<TaxiiClient>> TaxiiClient::Create(const std::string& base_url,
                                                         ClientOptions options) {
  auto url = boost::urls::parse_uri(base_url);
  if (!url) return InvalidArgument("'" + base_url + "' is not a URL");
  auto impl = std::make_unique<Impl>();
  std::string scheme(url->scheme());
  if (scheme == "https") {
    impl->tls = true;
  } else if (scheme != "http") {
    return InvalidArgument("'" + base_url + "': the scheme must be http or https");
  }
  impl->host = std::string(url->host());
  if (impl->host.empty()) return InvalidArgument("'" + base_url + "' has no host");
  if (impl->host.size() > 2 && impl->host.front() == '[') {
    impl->host = impl->host.substr(1, impl->host.size() - 2);
  }
  impl->port = url->has_port() ? std::string(url->port()) : (impl->tls ? "443" : "80");
  if (options.max_attempts < 1) options.max_attempts = 1;
  impl->options = std::move(options);
  const auto& cred = impl->options.credentials;
  if (cred.kind == Credentials::Kind::kBasic) {
    impl->authorization = "Basic " + Base64(cred.user + ":" + cred.secret);
  } else if (cred.kind == Credentials::Kind::kToken) {
    impl->authorization = "Bearer " + cred.secret;
  }
  if (impl->tls) {
    impl->ssl_ctx = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_client);
    impl->ssl_ctx->set_options(asio::ssl::context::no_sslv2 | asio::ssl::context::no_sslv3 |
                               asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1);
    impl->ssl_ctx->set_verify_mode(asio::ssl::verify_peer);
    boost::system::error_code ec;
    if (!impl->options.ca_file.empty()) {
      impl->ssl_ctx->load_verify_file(impl->options.ca_file, ec);
      if (ec) {
        return InvalidArgument("cannot load CA file '" + impl->options.ca_file + "': " +
                               ec.message());
      }
    } else {
      impl->ssl_ctx->set_default_verify_paths(ec);
    }
  }
  return std::unique_ptr<TaxiiClient>(new TaxiiClient(std::move(impl)));
}

int64_t TaxiiClient::requests_sent() const { return impl_->sent; }

Result<HttpReply> TaxiiClient::Send(const std::string& method, const std::string& target,
                                    const std::string& body) {
  return impl_->Send(method, target, body);
}

Result<DiscoveryInfo> TaxiiClient::Discover(const std::string& discovery_path) {
  TABADUL_ASSIGN_OR_RETURN(HttpReply r, Send("GET", discovery_path));
  if (r.status != 200) return StatusForReply(r, "discovery");
  TABADUL_ASSIGN_OR_RETURN(json::object o, ParseJsonObject(r.body, "discovery"));
  DiscoveryInfo info;
  info.title = StringField(o, "title");
  info.default_root = StringField(o, "default");
  if (auto* roots = o.if_contains("api_roots"); roots && roots->is_array()) {
    for (const auto& v : roots->as_array()) {
      if (v.is_string()) info.api_roots.emplace_back(v.as_string());
    }
  }
  return info;
}

Result<std::string> TaxiiClient::DefaultApiRoot(const std::string& discovery_path) {
  TABADUL_ASSIGN_OR_RETURN(DiscoveryInfo info, Discover(discovery_path));
  std::string root = !info.default_root.empty() ? info.default_root
                     : !info.api_roots.empty()  ? info.api_roots.front()
                                                : std::string();
  if (root.empty()) return NotFound("the server's discovery lists no API root");
  if (root.front() != '/') {
    auto url = boost::urls::parse_uri(root);
    if (!url) return InvalidArgument("discovery: API root '" + root + "' is not a URL");
    std::string host(url->host());
    if (host != impl_->host) {
      return Unsupported("API root '" + root + "' is on another host; configure it as a peer");
    }
    root = std::string(url->path());
  }
  if (root.back() != '/') root += '/';
  return root;
}

Result<std::vector<RemoteCollection>> TaxiiClient::ListCollections(const std::string& api_root) {
  TABADUL_ASSIGN_OR_RETURN(HttpReply r, Send("GET", api_root + "collections/"));
  if (r.status != 200) return StatusForReply(r, "collections");
  TABADUL_ASSIGN_OR_RETURN(json::object o, ParseJsonObject(r.body, "collections"));
  std::vector<RemoteCollection> out;
  if (auto* list = o.if_contains("collections"); list && list->is_array()) {
    for (const auto& v : list->as_array()) {
      if (!v.is_object()) continue;
      const auto& c = v.as_object();
      out.push_back({StringField(c, "id"), StringField(c, "title"), StringField(c, "description"),
                     BoolField(c, "can_read"), BoolField(c, "can_write")});
    }
  }
  return out;
}

Result<ObjectsPage> TaxiiClient::GetObjects(const std::string& api_root,
                                            const std::string& collection,
                                            const PageRequest& request,
                                            const std::string& object_id) {
  std::string target = CollectionPath(api_root, collection) + "objects/";
  if (!object_id.empty()) target += PercentEncode(object_id) + "/";
  TABADUL_ASSIGN_OR_RETURN(HttpReply r, Send("GET", target + Query(request)));
  if (r.status != 200) return StatusForReply(r, "objects");
  ObjectsPage page;
  page.date_added_first = r.Header("x-taxii-date-added-first");
  page.date_added_last = r.Header("x-taxii-date-added-last");
  page.body = std::move(r.body);
  return page;
}

Result<ManifestPage> TaxiiClient::GetManifest(const std::string& api_root,
                                              const std::string& collection,
                                              const PageRequest& request) {
  TABADUL_ASSIGN_OR_RETURN(
      HttpReply r, Send("GET", CollectionPath(api_root, collection) + "manifest/" + Query(request)));
  if (r.status != 200) return StatusForReply(r, "manifest");
  TABADUL_ASSIGN_OR_RETURN(json::object o, ParseJsonObject(r.body, "manifest"));
  ManifestPage page;
  page.more = BoolField(o, "more");
  page.next = StringField(o, "next");
  page.date_added_last = r.Header("x-taxii-date-added-last");
  if (auto* list = o.if_contains("objects"); list) {
    if (!list->is_array()) return InvalidArgument("manifest: `objects` is not an array");
    for (const auto& v : list->as_array()) {
      if (!v.is_object()) return InvalidArgument("manifest: an entry is not an object");
      const auto& e = v.as_object();
      ManifestEntry entry{StringField(e, "id"), StringField(e, "date_added"),
                          StringField(e, "version")};
      if (entry.id.empty()) return InvalidArgument("manifest: an entry has no id");
      page.entries.push_back(std::move(entry));
    }
  }
  return page;
}

Result<std::vector<std::string>> TaxiiClient::GetVersions(const std::string& api_root,
                                                          const std::string& collection,
                                                          const std::string& object_id) {
  TABADUL_ASSIGN_OR_RETURN(
      HttpReply r, Send("GET", CollectionPath(api_root, collection) + "objects/" +
                                   PercentEncode(object_id) + "/versions/"));
  if (r.status != 200) return StatusForReply(r, "versions");
  TABADUL_ASSIGN_OR_RETURN(json::object o, ParseJsonObject(r.body, "versions"));
  std::vector<std::string> out;
  if (auto* list = o.if_contains("versions"); list && list->is_array()) {
    for (const auto& v : list->as_array()) {
      if (v.is_string()) out.emplace_back(v.as_string());
    }
  }
  return out;
}

Result<RemoteStatus> TaxiiClient::PostObjects(const std::string& api_root,
                                              const std::string& collection,
                                              const std::string& envelope) {
  TABADUL_ASSIGN_OR_RETURN(
      HttpReply r, Send("POST", CollectionPath(api_root, collection) + "objects/", envelope));
  if (r.status != 202 && r.status != 200) return StatusForReply(r, "post objects");
  return ParseStatus(r.body);
}

Result<RemoteStatus> TaxiiClient::GetStatus(const std::string& api_root,
                                            const std::string& status_id) {
  std::string root = api_root.empty() || api_root.back() != '/' ? api_root + "/" : api_root;
  TABADUL_ASSIGN_OR_RETURN(HttpReply r,
                           Send("GET", root + "status/" + PercentEncode(status_id) + "/"));
  if (r.status != 200) return StatusForReply(r, "status");
  return ParseStatus(r.body);
}

Result<RemoteStatus> TaxiiClient::PostAndWait(const std::string& api_root,
                                              const std::string& collection,
                                              const std::string& envelope,
                                              std::chrono::milliseconds max_wait) {
  TABADUL_ASSIGN_OR_RETURN(RemoteStatus st, PostObjects(api_root, collection, envelope));
  std::chrono::milliseconds waited{0};
  int polls = 0;
  while (st.status != "complete") {
    if (waited >= max_wait) {
      return FailedPrecondition("the remote has not completed status " + st.id + " (" +
                                std::to_string(st.pending_count) + " pending)");
    }
    auto d = std::min(impl_->Backoff(polls++), max_wait - waited + std::chrono::milliseconds(1));
    impl_->Sleep(d);
    waited += d;
    TABADUL_ASSIGN_OR_RETURN(st, GetStatus(api_root, st.id));
  }
  return st;
}

Status TaxiiClient::DeleteObject(const std::string& api_root, const std::string& collection,
                                 const std::string& object_id, const std::string& version) {
  std::string target =
      CollectionPath(api_root, collection) + "objects/" + PercentEncode(object_id) + "/";
  if (!version.empty()) target += "?match%5Bversion%5D=" + PercentEncode(version);
  TABADUL_ASSIGN_OR_RETURN(HttpReply r, Send("DELETE", target));
  if (r.status == 200 || r.status == 204) return Status::Ok();
  return StatusForReply(r, "delete " + object_id);
}

}  // namespace tabadul::sync
