// `rockhound investigate <cluster>` and `rockhound reports list|show`: engineers asking for an
// investigation now and reading what the memory holds.
#include <cstdio>
#include <memory>

#include "app/app_context.h"
#include "app/investigation_stack.h"
#include "core/time_format.h"
#include "store/report_store.h"

namespace rh::app {
namespace {

struct InvestigateOptions {
  std::string cluster;
  std::string question;
  std::string engine = "auto";
  std::string format = "markdown";
};

Status CheckFormat(const std::string& format) {
  if (format != "markdown" && format != "json") {
    return InvalidArgument("--format", "must be markdown or json");
  }
  return {};
}

Status RunInvestigate(AppContext& ctx, const InvestigateOptions& options) {
  RH_RETURN_IF_ERROR(CheckFormat(options.format));
  RH_ASSIGN_OR_RETURN(auto stack, BuildInvestigationStack(ctx));
  std::fprintf(stderr, "investigating %s (engine %s)...\n", options.cluster.c_str(),
               options.engine.c_str());
  agent::ProgressFn progress = [](const agent::ProgressEvent& event) {
    std::fprintf(stderr, "  [step %2d] %-10s %-28s %6.1fs\n", event.step, event.what.c_str(),
                 event.detail.c_str(), event.elapsed_ms / 1000.0);
  };
  agent::InvestigationRequest request{"", options.cluster, options.question};
  RH_ASSIGN_OR_RETURN(agent::InvestigationResult result,
                      stack->investigator->Run(request, options.engine, progress));
  const store::StoredReport& report = result.stored;
  std::fprintf(stderr, "report %s: %s %s, confidence %.2f, engine %s, %.1fs\n",
               report.report_id.c_str(), report.severity.c_str(), report.category.c_str(),
               report.confidence, report.engine.c_str(), report.duration_ms / 1000.0);
  if (!report.llm_error.empty()) {
    std::fprintf(stderr, "note: Claude failed (%s); the playbook engine wrote this report\n",
                 report.llm_error.c_str());
  }
  if (options.format == "json") {
    Json out = ParseJson(report.report_json).value_or(Json::object());
    out["report_id"] = report.report_id;
    out["cluster_id"] = report.cluster_id;
    out["engine"] = report.engine;
    std::printf("%s\n", DumpJson(out, 2).c_str());
  } else {
    std::printf("%s", report.markdown.c_str());
  }
  return {};
}

struct ListOptions {
  std::string cluster;
  std::string severity;
  std::string category;
  std::string since;
  int limit = 20;
};

Status RunReportsList(AppContext& ctx, const ListOptions& options) {
  RH_ASSIGN_OR_RETURN(store::Database * memory, ctx.Memory());
  store::ReportFilter filter;
  filter.cluster_id = options.cluster;
  filter.min_severity = options.severity;
  filter.category = options.category;
  filter.limit = options.limit;
  if (!options.since.empty()) {
    auto duration = ParseDurationShort(options.since);
    if (duration) {
      filter.since = ctx.clock().Now() - *duration;
    } else {
      auto at = ParseAnyTime(options.since);
      if (!at) {
        return InvalidArgument("--since", "use a duration (24h, 7d) or a time "
                                          "(2026-11-21 10:00:00)");
      }
      filter.since = *at;
    }
  }
  store::ReportStore store(*memory);
  RH_ASSIGN_OR_RETURN(store::ReportPage page, store.List(filter));
  if (page.reports.empty()) {
    std::printf("no reports match (reports appear after `rockhound cycle` or "
                "`rockhound investigate <cluster>`)\n");
    return {};
  }
  std::printf("%-30s %-19s %-14s %-9s %-19s %5s %-8s\n", "REPORT", "CREATED", "CLUSTER",
              "SEVERITY", "CATEGORY", "CONF", "ENGINE");
  for (const store::StoredReport& r : page.reports) {
    std::printf("%-30s %-19s %-14s %-9s %-19s %5.2f %-8s\n", r.report_id.c_str(),
                FormatSqlTime(r.created_at).c_str(), r.cluster_id.c_str(), r.severity.c_str(),
                r.category.c_str(), r.confidence, r.engine.c_str());
  }
  if (!page.next_cursor.empty()) {
    std::printf("(more: narrow with --cluster/--severity/--since or raise --limit)\n");
  }
  return {};
}

Status RunReportsShow(AppContext& ctx, const std::string& report_id, const std::string& format) {
  RH_RETURN_IF_ERROR(CheckFormat(format));
  RH_ASSIGN_OR_RETURN(store::Database * memory, ctx.Memory());
  store::ReportStore store(*memory);
  RH_ASSIGN_OR_RETURN(store::StoredReport report, store.Get(report_id));
  if (format == "json") {
    Json out = ParseJson(report.report_json).value_or(Json::object());
    out["report_id"] = report.report_id;
    out["task_id"] = report.task_id;
    out["cluster_id"] = report.cluster_id;
    out["engine"] = report.engine;
    out["model"] = report.model;
    out["created_at"] = FormatIsoTime(report.created_at);
    out["usage"] = {{"input_tokens", report.input_tokens}, {"output_tokens", report.output_tokens},
                    {"cache_read_tokens", report.cache_read_tokens},
                    {"cache_write_tokens", report.cache_write_tokens},
                    {"cost_usd", report.cost_usd}, {"duration_ms", report.duration_ms}};
    if (!report.llm_error.empty()) out["llm_error"] = report.llm_error;
    out["transcript"] = ParseJson(report.transcript_json).value_or(Json::array());
    std::printf("%s\n", DumpJson(out, 2).c_str());
  } else {
    std::printf("%s", report.markdown.c_str());
  }
  return {};
}

}  // namespace

void RegisterInvestigateCommands(CLI::App& app, Action* chosen) {
  auto investigate_options = std::make_shared<InvestigateOptions>();
  CLI::App* investigate = app.add_subcommand(
      "investigate",
      "Investigate one cluster now and print the report (progress on stderr). The report is "
      "stored in the agent memory like the sentinel's.\n"
      "  rockhound investigate c-1a2b3c4d --question \"why is p99 latency up?\"");
  investigate->add_option("cluster", investigate_options->cluster, "Cluster id, e.g. c-1a2b3c4d")
      ->required();
  investigate->add_option("--question,-q", investigate_options->question,
                          "What you want to know (default: what is wrong, if anything)");
  investigate->add_option("--engine", investigate_options->engine,
                          "auto (Claude when ANTHROPIC_API_KEY is set, else playbook) | claude | "
                          "playbook")
      ->check(CLI::IsMember({"auto", "claude", "playbook"}));
  investigate->add_option("--format", investigate_options->format, "markdown | json")
      ->check(CLI::IsMember({"markdown", "json"}));
  investigate->callback([chosen, investigate_options] {
    *chosen = [investigate_options](AppContext& ctx) {
      return RunInvestigate(ctx, *investigate_options);
    };
  });

  CLI::App* reports = app.add_subcommand("reports", "Read investigation reports from the memory");
  reports->require_subcommand(1);
  auto list_options = std::make_shared<ListOptions>();
  CLI::App* list = reports->add_subcommand("list", "List reports, newest first");
  list->add_option("--cluster", list_options->cluster, "Only this cluster");
  list->add_option("--severity", list_options->severity,
                   "At least this severity (critical|high|medium|low|info)")
      ->check(CLI::IsMember({"critical", "high", "medium", "low", "info"}));
  list->add_option("--category", list_options->category, "Only this root-cause category");
  list->add_option("--since", list_options->since, "Newer than a duration (24h, 7d) or a time");
  list->add_option("--limit", list_options->limit, "At most this many (1-200, default 20)")
      ->check(CLI::Range(1, 200));
  list->callback([chosen, list_options] {
    *chosen = [list_options](AppContext& ctx) { return RunReportsList(ctx, *list_options); };
  });
  auto show_id = std::make_shared<std::string>();
  auto show_format = std::make_shared<std::string>("markdown");
  CLI::App* show = reports->add_subcommand("show", "Show one report (Markdown, or JSON with the "
                                                   "tool transcript)");
  show->add_option("report_id", *show_id, "Report id (rpt_...)")->required();
  show->add_option("--format", *show_format, "markdown | json")
      ->check(CLI::IsMember({"markdown", "json"}));
  show->callback([chosen, show_id, show_format] {
    *chosen = [show_id, show_format](AppContext& ctx) {
      return RunReportsShow(ctx, *show_id, *show_format);
    };
  });
}

}  // namespace rh::app
