// The one list of the diagnosis families, in decision order (see decision_order.h).
#include "agent/internal/diagnosis/decision_order.h"

#include <iterator>

namespace rh::agent::internal::diagnosis {

// Each family's factory, defined in the family's own file.
std::unique_ptr<DiagnosisFamily> NewInsufficientData();
std::unique_ptr<DiagnosisFamily> NewNodeFailure();
std::unique_ptr<DiagnosisFamily> NewAccountWide();
std::unique_ptr<DiagnosisFamily> NewOperationInduced();
std::unique_ptr<DiagnosisFamily> NewKnownBug();
std::unique_ptr<DiagnosisFamily> NewDiskCapacity();
std::unique_ptr<DiagnosisFamily> NewCompactionBacklog();
std::unique_ptr<DiagnosisFamily> NewMemoryPressure();
std::unique_ptr<DiagnosisFamily> NewIngestionFailure();
std::unique_ptr<DiagnosisFamily> NewQueryErrors();
std::unique_ptr<DiagnosisFamily> NewCpuSaturation();
std::unique_ptr<DiagnosisFamily> NewSlowQueries();
std::unique_ptr<DiagnosisFamily> NewUnmappedSymptom();
std::unique_ptr<DiagnosisFamily> NewVolumeCollapse();
std::unique_ptr<DiagnosisFamily> NewUnmeasuredAlert();
std::unique_ptr<DiagnosisFamily> NewAlertNoise();
std::unique_ptr<DiagnosisFamily> NewChronic();
std::unique_ptr<DiagnosisFamily> NewHealthy();

std::vector<std::unique_ptr<DiagnosisFamily>> FamiliesInDecisionOrder() {
  using Factory = std::unique_ptr<DiagnosisFamily> (*)();
  static constexpr Factory kOrder[] = {
      NewInsufficientData,  // 1. telemetry gap: nothing else can be judged
      NewOperationInduced,  // 2. a change operation shortly before the onset (of a node loss too)
      NewNodeFailure,       // 3. alive_be, or a node alert (FE loss, a BE/CN crash loop)
      NewAccountWide,       // 4. siblings share the alert, the onset and the symptom
      NewKnownBug,          // 5. a known bug affecting this version with this symptom
      // 6. the primary symptom's own category (at most one of these applies):
      NewDiskCapacity,       //    disk
      NewCompactionBacklog,  //    compaction, tablets
      NewMemoryPressure,     //    be_mem, jvm_heap, fe_heap
      NewIngestionFailure,   //    txn_failed
      NewQueryErrors,        //    query_err
      NewCpuSaturation,      //    cpu
      NewSlowQueries,        //    latency
      NewUnmappedSymptom,    //    a dimension no family above claims
      NewVolumeCollapse,     // 7. load rate or QPS near zero against its baseline
      NewUnmeasuredAlert,    // 8. an alert about what no metric dimension measures
      NewAlertNoise,         // 9. alerts without a new symptom
      NewChronic,            // 10. chronic symptoms only
      NewHealthy,            // 11. nothing wrong now (always applies)
  };
  std::vector<std::unique_ptr<DiagnosisFamily>> families;
  families.reserve(std::size(kOrder));
  for (Factory make : kOrder) families.push_back(make());
  return families;
}

}  // namespace rh::agent::internal::diagnosis
