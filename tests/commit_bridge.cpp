// The real-kernel bridge and the commit charge: `mmap ... noreserve` reaches the kernel as
// MAP_NORESERVE (plan_statement, export-c's program), and `cowlab validate` can run the
// engine in a machine's overcommit settings whatever the script says
// (Session::pin_overcommit). What the kernel then charges is measured by
// scripts/test-validate.sh (tests/validate/commit_*.cow); here, only what is sent.
#include <catch2/catch.hpp>

#include <string>

#include "engine/kernel/export_c.h"
#include "engine/kernel/plan.h"
#include "engine/kernel/protocol.h"
#include "engine/script/session.h"

using namespace cow;

namespace {

std::vector<kernel::KOp> mmap_ops(const std::string& text) {
  script::Session s;
  REQUIRE(s.load(text));
  s.run_all();
  REQUIRE_FALSE(s.stopped());
  std::vector<kernel::KOp> out;
  for (const script::Statement& st : s.script().statements)
    if (st.verb == script::Verb::Mmap)
      for (const kernel::KOp& op : kernel::plan_statement(st, s.engine())) out.push_back(op);
  return out;
}

}  // namespace

TEST_CASE("plan: mmap ... noreserve asks for MAP_NORESERVE in every overcommit mode", "[kernel][overcommit]") {
  for (const char* mode : {"heuristic", "always", "never"}) {
    INFO(mode);
    std::vector<kernel::KOp> ops = mmap_ops(std::string("mode overcommit=") + mode +
                                            "\nspawn P1\nP1 mmap a 16 noreserve\nP1 mmap b 16\n"
                                            "P1 mmap c 16 readonly noreserve\n");
    REQUIRE(ops.size() == 3);
    CHECK(ops[0].noreserve);
    CHECK_FALSE(ops[1].noreserve);
    CHECK(ops[2].noreserve);
    CHECK(ops[2].prot == Prot::ReadOnly);
  }
}

TEST_CASE("export-c: a noreserve mapping is mapped with MAP_NORESERVE", "[kernel][overcommit]") {
  kernel::ExportedC c = kernel::export_c("spawn P1\nP1 mmap a 16 noreserve\nP1 mmap b 8 readonly noreserve\n"
                                         "P1 mmap c 4\nP1 write a 0-3\nshow\n", "n.cow");
  REQUIRE(c.status == 0);
  CHECK(c.program.find("map_task(0, 0x10000000000ull, 16, MAP_IS_NORESERVE, -1,") != std::string::npos);
  CHECK(c.program.find("map_task(0, 0x10040000000ull, 8, MAP_IS_READONLY | MAP_IS_NORESERVE, -1,") !=
        std::string::npos);
  CHECK(c.program.find("map_task(0, 0x10080000000ull, 4, 0, -1,") != std::string::npos);
  // The runtime the program carries turns the flag into mmap's.
  CHECK(c.program.find("(c->flags & MAP_IS_NORESERVE) ? MAP_NORESERVE : 0") != std::string::npos);
  CHECK(kernel::MAP_IS_NORESERVE != kernel::MAP_IS_HUGE);
}

TEST_CASE("pin_overcommit: the machine's settings hold whatever the script's mode and swap lines say",
          "[kernel][overcommit]") {
  const std::string text =
      "mode overcommit=never\nmode overcommit_ratio=80\nswap 4M\nram 64M\nspawn P1\n"
      "P1 mmap sparse 100 noreserve\nP1 mmap heap 10\n";
  script::Session scripted;
  REQUIRE(scripted.load(text));
  scripted.run_all();
  CHECK(scripted.engine().committed_as() == 110);   // never: the flag is ignored
  CHECK(scripted.engine().commit_limit() == 16384 * 80 / 100 + 1024);

  script::Session machine;
  machine.pin_overcommit(Overcommit::Heuristic, 50, 0);
  REQUIRE(machine.load(text));
  machine.run_all();
  REQUIRE_FALSE(machine.stopped());
  CHECK(machine.engine().modes().overcommit == Overcommit::Heuristic);
  CHECK(machine.engine().modes().overcommit_ratio == 50);
  CHECK(machine.engine().modes().swap_pages == 0);
  CHECK(machine.engine().committed_as() == 10);     // heuristic: noreserve is not charged
  CHECK(machine.engine().commit_limit() == 16384 / 2);
  CHECK(machine.engine().frames().total() == 16384);  // `ram` stays the script's
}
