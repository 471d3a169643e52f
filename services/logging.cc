#include "services/logging.h"

#include <grpc/support/log.h>

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"
#include "spdlog/sinks/stdout_sinks.h"
#include "spdlog/spdlog.h"

namespace services {
namespace {

struct Logger {
  std::shared_ptr<spdlog::logger> logger;
  LogFormat format = LogFormat::kText;
};

Logger& TheLogger() {
  static Logger* logger = [] {
    auto* made = new Logger;
    made->logger = std::make_shared<spdlog::logger>(
        "ledgerd", std::make_shared<spdlog::sinks::stderr_sink_mt>());
    made->logger->set_pattern("%n: %v");
    made->logger->flush_on(spdlog::level::trace);  // every line reaches the collector at once
    return made;
  }();
  return *logger;
}

void Write(spdlog::level::level_enum level, absl::string_view message) {
  Logger& logger = TheLogger();
  if (logger.format == LogFormat::kJson) {
    // The pattern adds time, level and program; the message goes in as a JSON string.
    std::string quoted = nlohmann::json(std::string(message)).dump(
        -1, ' ', false, nlohmann::json::error_handler_t::replace);
    logger.logger->log(level, "{}", quoted);
    return;
  }
  const char* prefix = level == spdlog::level::warn ? "WARNING: "
                       : level >= spdlog::level::err ? "ERROR: "
                                                      : "";
  logger.logger->log(level, "{}{}", prefix, std::string_view(message.data(), message.size()));
}

// gRPC's log lines, through ours.
void FromGrpc(gpr_log_func_args* args) {
  std::string message = absl::StrCat("grpc: ", args->message);
  switch (args->severity) {
    case GPR_LOG_SEVERITY_ERROR:
      Write(spdlog::level::err, message);
      break;
    case GPR_LOG_SEVERITY_INFO:
      Write(spdlog::level::info, message);
      break;
    default:
      Write(spdlog::level::debug, message);
  }
}

}  // namespace

absl::StatusOr<LogFormat> ParseLogFormat(absl::string_view text) {
  if (text == "text") return LogFormat::kText;
  if (text == "json") return LogFormat::kJson;
  return absl::InvalidArgumentError(
      absl::StrCat("--log_format: \"", text, "\" is neither text nor json"));
}

void InitLogging(absl::string_view program, LogFormat format) {
  Logger& logger = TheLogger();
  logger.format = format;
  logger.logger = std::make_shared<spdlog::logger>(
      std::string(program), std::make_shared<spdlog::sinks::stderr_sink_mt>());
  logger.logger->flush_on(spdlog::level::trace);
  if (format == LogFormat::kJson) {
    logger.logger->set_pattern(
        "{\"time\":\"%Y-%m-%dT%H:%M:%S.%eZ\",\"level\":\"%l\",\"program\":\"%n\",\"message\":%v}",
        spdlog::pattern_time_type::utc);
  } else {
    logger.logger->set_pattern("%n: %v");
  }
  gpr_set_log_function(FromGrpc);
}

void LogInfo(absl::string_view message) { Write(spdlog::level::info, message); }
void LogWarning(absl::string_view message) { Write(spdlog::level::warn, message); }
void LogError(absl::string_view message) { Write(spdlog::level::err, message); }

}  // namespace services
