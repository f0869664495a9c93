package io.tocsin;

import org.junit.jupiter.api.Test;
import org.springframework.modulith.core.ApplicationModules;
import org.springframework.modulith.docs.Documenter;

class ModularityTests {

  private final ApplicationModules modules = ApplicationModules.of(TocsinApplication.class);

  @Test
  void modulesReachOnlyIntoEachOthersApisAndFormNoCycles() {
    modules.verify();
  }

  @Test
  void writesTheModuleDiagram() {
    new Documenter(modules).writeModulesAsPlantUml().writeIndividualModulesAsPlantUml();
  }
}
