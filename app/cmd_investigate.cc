// `rockhound investigate <cluster>`, `rockhound reports list|show` and `rockhound ask <report>`:
// engineers asking for an investigation now, reading what the memory holds, and asking follow-up
// questions about a report.
#include <cstdio>
#include <memory>

#include "app/app_context.h"
#include "core/time_format.h"
#include "service/followups.h"
#include "service/investigations.h"
#include "service/json_views.h"
#include "service/reports.h"

namespace rh::app {
namespace {

struct InvestigateOptions {
  std::string cluster;
  std::string question;
  std::string engine{EngineKindName(EngineKind::kAuto)};  // parsed in RunInvestigate
  std::string format = "markdown";
  bool verbose = false;  // every progress event, and the model's text as it streams in
};

// The progress of `investigate` on stderr: steps, model turns, tool calls and the report; with
// --verbose also each call's outcome, the tokens after each turn and the model's text as it
// arrives (agent.stream = true streams it; otherwise it never arrives piece by piece).
agent::ProgressFn StderrProgress(bool verbose) {
  return [verbose, in_text = false](const agent::ProgressEvent& event) mutable {
    if (event.what == "text") {
      if (!verbose) return;
      if (!in_text) std::fputs("  | ", stderr);
      in_text = true;
      for (char c : event.text) {
        std::fputc(c, stderr);
        if (c == '\n') std::fputs("  | ", stderr);
      }
      std::fflush(stderr);
      return;
    }
    if (in_text) std::fputc('\n', stderr);
    in_text = false;
    if (event.what == "tool done") {
      if (!verbose) return;
      std::fprintf(stderr, "  [step %2d] %-10s %-28s %6.1fs  %s in %lld ms\n", event.step, "done",
                   event.detail.c_str(), event.elapsed_ms / 1000.0, event.ok ? "ok" : "error",
                   event.duration_ms);
      return;
    }
    if (event.what == "tokens") {
      if (!verbose) return;
      std::fprintf(stderr, "  [step %2d] %-10s %-28lld %6.1fs  $%.4f so far\n", event.step,
                   "tokens", event.tokens, event.elapsed_ms / 1000.0, event.cost_usd);
      return;
    }
    std::fprintf(stderr, "  [step %2d] %-10s %-28s %6.1fs\n", event.step, event.what.c_str(),
                 event.detail.c_str(), event.elapsed_ms / 1000.0);
  };
}

Status RunInvestigate(AppContext& ctx, const InvestigateOptions& options) {
  RH_ASSIGN_OR_RETURN(EngineKind engine, ParseEngineKind(options.engine));
  service::Investigations investigations(ctx.runtime());
  std::fprintf(stderr, "investigating %s (engine %s)...\n", options.cluster.c_str(),
               options.engine.c_str());
  agent::ProgressFn progress = StderrProgress(options.verbose);
  RH_ASSIGN_OR_RETURN(agent::InvestigationResult result,
                      investigations.RunNow(options.cluster, options.question, engine, progress));
  const store::StoredReport& report = result.stored;
  std::fprintf(stderr, "report %s: %s %s, confidence %.2f, engine %s, %.1fs\n",
               report.report_id.c_str(), std::string(SeverityName(report.severity)).c_str(),
               std::string(RootCauseName(report.category)).c_str(), report.confidence,
               std::string(EngineKindName(report.engine)).c_str(), report.duration_ms / 1000.0);
  if (!report.llm_error.empty()) {
    std::fprintf(stderr, "note: the model failed (%s); the playbook engine wrote this report\n",
                 report.llm_error.c_str());
  }
  if (options.format == "json") {
    std::printf("%s\n", DumpJson(service::ReportDetailJson(report), 2).c_str());
  } else {
    std::printf("%s", report.markdown.c_str());
  }
  return {};
}

struct ListOptions {
  service::ReportQueryText query;
  std::string format = "table";
};

Status RunReportsList(AppContext& ctx, const ListOptions& options) {
  RH_ASSIGN_OR_RETURN(service::ReportQuery query,
                      service::ParseReportQuery(options.query, ctx.clock().Now()));
  service::Reports reports(ctx.runtime());
  RH_ASSIGN_OR_RETURN(store::ReportPage page, reports.List(query));
  if (options.format == "json") {  // the same fields as GET /api/v1/reports
    std::printf("%s\n", service::ReportPageJson(page).dump(2).c_str());
    return {};
  }
  if (page.reports.empty()) {
    std::printf("no reports match (reports appear after `rockhound cycle` or "
                "`rockhound investigate <cluster>`)\n");
    return {};
  }
  std::printf("%-30s %-19s %-14s %-9s %-19s %5s %-8s\n", "REPORT", "CREATED", "CLUSTER",
              "SEVERITY", "CATEGORY", "CONF", "ENGINE");
  for (const store::StoredReport& r : page.reports) {
    std::printf("%-30s %-19s %-14s %-9s %-19s %5.2f %-8s\n", r.report_id.c_str(),
                FormatSqlTime(r.created_at).c_str(), r.cluster_id.c_str(),
                std::string(SeverityName(r.severity)).c_str(),
                std::string(RootCauseName(r.category)).c_str(), r.confidence,
                std::string(EngineKindName(r.engine)).c_str());
  }
  if (!page.next_cursor.empty()) {
    std::printf("(more: narrow with --cluster/--severity/--since or raise --limit)\n");
  }
  return {};
}

Status RunReportsShow(AppContext& ctx, const std::string& report_id, const std::string& format) {
  service::Reports reports(ctx.runtime());
  RH_ASSIGN_OR_RETURN(std::string text,
                      reports.Render(report_id, format == "json" ? service::ReportFormat::kJson
                                                                 : service::ReportFormat::kMarkdown));
  std::fputs(text.c_str(), stdout);
  if (format == "json") std::fputs("\n", stdout);
  return {};
}

struct AskOptions {
  std::string report_id;
  std::string question;
  bool list = false;
  std::string engine{EngineKindName(EngineKind::kAuto)};
  std::string format = "text";
};

void PrintMessage(const store::ReportMessage& message) {
  std::printf("#%d  %s  %s%s%s\nQ: %s\nA: %s\n", message.seq,
              FormatSqlTime(message.created_at).c_str(),
              std::string(EngineKindName(message.engine)).c_str(),
              message.model.empty() ? "" : " ", message.model.c_str(), message.question.c_str(),
              message.answer.c_str());
  auto citations = ParseJson(message.citations_json, "citations");
  if (citations && citations->is_array() && !citations->empty()) {
    std::printf("Cited:\n");
    for (const Json& item : *citations) {
      std::printf("  %s %s: %s\n", JsonString(item, "tool_call_id").c_str(),
                  JsonString(item, "tool").c_str(), JsonString(item, "finding").c_str());
    }
  }
  if (message.cost_usd > 0 || message.input_tokens > 0) {
    std::printf("(%lld in / %lld out tokens, $%.4f, %.1fs)\n", message.input_tokens,
                message.output_tokens, message.cost_usd, message.duration_ms / 1000.0);
  }
}

Status RunAsk(AppContext& ctx, const AskOptions& options) {
  service::FollowUps follow_ups(ctx.runtime());
  if (options.list) {
    if (!options.question.empty()) {
      return InvalidArgument("--list", "lists the conversation; ask a question without --list");
    }
    RH_ASSIGN_OR_RETURN(std::vector<store::ReportMessage> messages,
                        follow_ups.List(options.report_id));
    if (options.format == "json") {  // the same fields as GET /api/v1/reports/{id}/messages
      std::printf("%s\n", DumpJson(service::ReportMessagesJson(options.report_id, messages), 2)
                               .c_str());
      return {};
    }
    if (messages.empty()) {
      std::printf("no questions asked about %s yet (rockhound ask %s \"...\")\n",
                  options.report_id.c_str(), options.report_id.c_str());
    }
    for (const store::ReportMessage& message : messages) {
      PrintMessage(message);
      std::printf("\n");
    }
    return {};
  }
  service::FollowUpSpec spec;
  spec.report_id = options.report_id;
  spec.question = options.question;
  spec.requester = "cli";
  RH_ASSIGN_OR_RETURN(EngineKind engine, ParseEngineKind(options.engine));
  if (engine != EngineKind::kAuto) spec.engine = engine;
  RH_ASSIGN_OR_RETURN(store::ReportMessage message, follow_ups.Ask(spec));
  if (options.format == "json") {  // the same fields as POST /api/v1/reports/{id}/messages
    std::printf("%s\n", DumpJson(service::ReportMessageJson(message), 2).c_str());
    return {};
  }
  PrintMessage(message);
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
                          "playbook");
  investigate->add_flag("--verbose,-v", investigate_options->verbose,
                        "Every progress event on stderr: each tool call's outcome, tokens after "
                        "each model turn, and the model's text as it arrives (agent.stream=true)");
  AddFormatOption(investigate, &investigate_options->format, "markdown",
                  "the report as `reports show --format json` and GET /api/v1/reports/{id}");
  investigate->callback([chosen, investigate_options] {
    *chosen = [investigate_options](AppContext& ctx) {
      return RunInvestigate(ctx, *investigate_options);
    };
  });

  CLI::App* reports = app.add_subcommand("reports", "Read investigation reports from the memory");
  reports->require_subcommand(1);
  auto list_options = std::make_shared<ListOptions>();
  CLI::App* list = reports->add_subcommand("list", "List reports, newest first");
  list->add_option("--cluster", list_options->query.cluster_id, "Only this cluster");
  list->add_option("--severity", list_options->query.severity,
                   "At least this severity (" + std::string(SeverityNames()) + ")");
  list->add_option("--category", list_options->query.category,
                   "Only this root-cause category (" + std::string(RootCauseNames()) + ")");
  list->add_option("--since", list_options->query.since,
                   "Newer than a duration (24h, 7d) or a time");
  list->add_option("--limit", list_options->query.limit, "At most this many (1-200, default 20)");
  list->add_option("--cursor", list_options->query.cursor,
                   "Continue after a previous page (its next_cursor, shown by --format json)");
  AddFormatOption(list, &list_options->format, "table", "the same fields as GET /api/v1/reports");
  list->callback([chosen, list_options] {
    *chosen = [list_options](AppContext& ctx) { return RunReportsList(ctx, *list_options); };
  });
  auto show_id = std::make_shared<std::string>();
  auto show_format = std::make_shared<std::string>("markdown");
  CLI::App* show = reports->add_subcommand("show", "Show one report (Markdown, or JSON with the "
                                                   "tool transcript)");
  show->add_option("report_id", *show_id, "Report id (rpt_...)")->required();
  AddFormatOption(show, show_format.get(), "markdown",
                  "the same fields as GET /api/v1/reports/{id}, with the tool transcript");
  show->callback([chosen, show_id, show_format] {
    *chosen = [show_id, show_format](AppContext& ctx) {
      return RunReportsShow(ctx, *show_id, *show_format);
    };
  });

  auto ask_options = std::make_shared<AskOptions>();
  CLI::App* ask = app.add_subcommand(
      "ask",
      "Ask a follow-up question about a stored report; the answer cites the tool calls that show "
      "it and is stored with the report (--list shows the conversation).\n"
      "  rockhound ask rpt_01... \"why not the compaction backlog?\"\n"
      "  rockhound ask rpt_01... \"re-run query_cluster_metrics\"   (works without a model)");
  ask->add_option("report_id", ask_options->report_id, "Report id (rpt_...)")->required();
  ask->add_option("question", ask_options->question, "The question (at most 2000 characters)");
  ask->add_flag("--list", ask_options->list, "Show the questions and answers so far");
  ask->add_option("--engine", ask_options->engine,
                  "auto (the model when one is configured, else playbook) | claude | playbook");
  AddFormatOption(ask, &ask_options->format, "text",
                  "the same fields as POST/GET /api/v1/reports/{id}/messages");
  ask->callback([chosen, ask_options] {
    *chosen = [ask_options](AppContext& ctx) {
      if (!ask_options->list && ask_options->question.empty()) {
        return Status(InvalidArgument("question",
                                      "is required: rockhound ask <report-id> \"question\" (or "
                                      "--list to see the conversation)"));
      }
      return RunAsk(ctx, *ask_options);
    };
  });
}

}  // namespace rh::app
