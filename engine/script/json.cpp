// The JSON document of `cowlab run --json` (schema version 1), and json.h's string escaping.
// Built by hand so that native and WASM builds print the same bytes: integers, and Pss
// with four decimals.
#include <algorithm>
#include <string>

#include "json.h"
#include "session.h"

namespace cow::script {

std::string json_string(std::string_view s) {
  static const char* hex = "0123456789abcdef";
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += char(c);
    } else if (c < 0x20) {
      out += "\\u00";
      out += hex[c >> 4];
      out += hex[c & 15];
    } else {
      out += char(c);
    }
  }
  return out + '"';
}

namespace {

class Json {
 public:
  std::string out;
  void raw(std::string_view s) { out += s; }
  void str(std::string_view s) { out += json_string(s); }
  void key(std::string_view k) {
    sep();
    str(k);
    out += ':';
    fresh_ = true;
  }
  void num(std::string_view k, uint64_t v) { key(k), raw(std::to_string(v)), fresh_ = false; }
  void pss(std::string_view k, double v) {
    char buf[32];
    format_pss(v, buf);
    key(k), raw(buf), fresh_ = false;
  }
  void text(std::string_view k, std::string_view v) { key(k), str(v), fresh_ = false; }
  void literal(std::string_view k, std::string_view v) { key(k), raw(v), fresh_ = false; }
  void open(char c) { sep(), out += c, fresh_ = true; }
  void close(char c) { out += c, fresh_ = false; }

 private:
  void sep() {
    if (!fresh_) out += ',';
    fresh_ = false;
  }
  bool fresh_ = true;
};

void usage_fields(Json& j, const Usage& u, bool process) {
  j.num("rss", u.rss);
  j.pss("pss", u.pss);
  if (process) j.num("uss", u.uss);
  j.num("shared_clean", u.shared_clean);
  j.num("shared_dirty", u.shared_dirty);
  j.num("private_clean", u.private_clean);
  j.num("private_dirty", u.private_dirty);
  j.num("anon", u.anon);
  if (process) j.num("file", u.file), j.num("shmem", u.shmem);
  j.num("ptes", u.ptes);
  j.num("zero_ptes", u.zero_ptes);
  if (process) j.num("vm_pte", u.vm_pte);
}

void system_fields(Json& j, const Engine& e) {
  SystemUsage s = e.system();
  const Counters& c = e.counters();
  j.key("system"), j.open('{');
  j.num("frames_total", s.frames_total), j.num("frames_used", s.frames_used);
  j.num("frames_free", s.frames_free), j.num("frames_mapped", s.frames_mapped);
  j.num("frames_shared", s.frames_shared), j.num("frames_private", s.frames_private);
  j.num("page_cache", s.page_cache), j.num("shmem", s.shmem), j.num("anon", s.anon);
  j.key("counters"), j.open('{');
  j.num("faults", c.faults), j.num("faults_read", c.faults_read), j.num("faults_write", c.faults_write);
  j.num("cow_copies", c.cow_copies), j.num("cow_reuses", c.cow_reuses);
  j.num("zero_fills", c.zero_fills), j.num("zero_page_maps", c.zero_page_maps);
  j.num("file_maps", c.file_maps), j.num("ptes_copied", c.ptes_copied);
  j.num("fork_failures", c.fork_failures), j.num("oom_kills", c.oom_kills), j.num("segfaults", c.segfaults);
  j.close('}');
  j.close('}');
}

void regions(Json& j, const Engine& e, ProcId p) {
  j.key("regions"), j.open('[');
  const Process& t = e.processes()[p];
  if (t.live()) {
    const AddressSpace& as = e.address_spaces()[t.mm];
    for (uint32_t m : as.region_mappings()) {
      const Mapping& map = as.mappings[m];
      Usage u = e.region_usage(p, map.name);
      j.open('{');
      j.text("name", e.name(map.name));
      j.text("kind", map.backing == Backing::Anon ? "anon" : "file");
      j.text("mapping", map.share == Share::Private ? "private" : "shared");
      j.num("pages", u.pages);
      usage_fields(j, u, false);
      j.close('}');
    }
  }
  j.close(']');
}

void process(Json& j, const Engine& e, ProcId p) {
  const Process& t = e.processes()[p];
  j.open('{');
  j.text("name", t.name);
  j.num("pid", p + 1);
  if (t.parent == kNone) j.literal("parent", "null"); else j.text("parent", e.processes()[t.parent].name);
  if (t.is_thread(p)) j.text("thread_of", e.processes()[t.leader].name);
  j.text("state", to_string(t.state));
  j.num("mm", t.mm + 1);
  usage_fields(j, e.usage(p), true);
  regions(j, e, p);
  j.close('}');
}

}  // namespace

std::string state_json(const Session& s) {
  const Engine& e = s.engine();
  Json j;
  j.open('{');
  j.num("version", 1);
  j.num("page_size", kPageSize);
  j.num("step", s.position());
  j.num("steps", s.step_count());
  system_fields(j, e);
  j.key("processes"), j.open('[');
  for (ProcId p = 0; p < e.processes().size(); ++p) process(j, e, p);
  j.close(']');
  j.key("expects"), j.open('[');
  for (const ExpectOutcome& x : s.expects()) {
    j.open('{');
    j.num("line", x.line);
    j.literal("ok", x.ok ? "true" : "false");
    j.text("message", x.message);
    j.close('}');
  }
  j.close(']');
  if (s.error()) {
    j.key("error"), j.open('{');
    j.num("line", s.error()->pos.line), j.num("col", s.error()->pos.col);
    j.text("message", s.error()->message);
    j.close('}');
  }
  j.close('}');
  return j.out;
}

}  // namespace cow::script
