/**
 * The capacity controller's decisions as a table of cluster states → actions: it terminates only
 * DRAINING instances without worker tasks, drains only empty ACTIVE instances, lowers the target
 * before a scale-in drain, raises and drops the on-demand share with the spot-short alarm.
 */
import assert from "node:assert/strict";
import { CONTROLLER_ENV, optionsFromEnv } from "../../../workers/capacity-controller/controller";
import { type ControllerInput, type ControllerSettings, decide, type FleetInstance } from "../../../workers/capacity-controller/decide";
import { ConfigError } from "../../../workers/errors";

const SETTINGS: ControllerSettings = {
  minCapacity: 16,
  maxCapacity: 1000,
  onDemandBaseCapacity: 0,
  maxOnDemandCapacity: 64,
  spareThresholdVcpus: 8,
  scaleInWindowMinutes: 10,
  maxDrainsPerRun: 4,
};

function inst(id: string, status: string, workerTasks: number, weight = 16, lifecycle: "spot" | "on-demand" = "spot"): FleetInstance {
  return { instanceId: `i-${id}`, containerInstanceArn: `ci/${id}`, status, weight, lifecycle, workerTasks };
}

/** A happy fleet of four 16-vCPU instances, all busy, nothing spare: the controller does nothing. */
function input(overrides: Partial<ControllerInput> = {}): ControllerInput {
  return {
    fleet: { targetCapacity: 64, fulfilledCapacity: 64, onDemandTargetCapacity: 0, onDemandFulfilledCapacity: 0 },
    instances: [inst("a", "ACTIVE", 3), inst("b", "ACTIVE", 2), inst("c", "ACTIVE", 1), inst("d", "ACTIVE", 4)],
    spotShort: false,
    spareHistory: Array(10).fill(2),
    spareNow: 2,
    shortfallVcpus: 0,
    settings: SETTINGS,
    ...overrides,
  };
}

const TEN_MINUTES_SPARE = (v: number) => Array(10).fill(v);

describe("capacity controller decisions", () => {
  const cases: {
    name: string;
    input: ControllerInput;
    expect: { targetCapacity?: number; onDemandTargetCapacity?: number; drain: string[]; terminate: string[] };
  }[] = [
    { name: "busy fleet, no spare: nothing", input: input(), expect: { drain: [], terminate: [] } },
    {
      name: "a DRAINING instance still running a worker task is kept; an empty DRAINING one is terminated, target untouched",
      input: input({ instances: [inst("a", "DRAINING", 1), inst("b", "DRAINING", 0), inst("c", "ACTIVE", 2), inst("d", "ACTIVE", 2)] }),
      expect: { drain: [], terminate: ["i-b"] },
    },
    {
      name: "spare above the threshold for the whole window: lower the target by an empty instance and drain it",
      input: input({
        instances: [inst("a", "ACTIVE", 0), inst("b", "ACTIVE", 2), inst("c", "ACTIVE", 1), inst("d", "ACTIVE", 1)],
        spareHistory: TEN_MINUTES_SPARE(30),
        spareNow: 30,
      }),
      expect: { targetCapacity: 48, drain: ["ci/a"], terminate: [] },
    },
    {
      name: "spare high but only ACTIVE instances with worker tasks: nothing is drained",
      input: input({ spareHistory: TEN_MINUTES_SPARE(30), spareNow: 30 }),
      expect: { drain: [], terminate: [] },
    },
    {
      name: "spare above the threshold for less than the window: nothing",
      input: input({ instances: [inst("a", "ACTIVE", 0), inst("b", "ACTIVE", 1)], spareHistory: Array(9).fill(30), spareNow: 30 }),
      expect: { drain: [], terminate: [] },
    },
    {
      name: "spare dipped under the threshold once in the window: nothing",
      input: input({
        instances: [inst("a", "ACTIVE", 0), inst("b", "ACTIVE", 1)],
        spareHistory: [30, 30, 30, 30, 5, 30, 30, 30, 30, 30],
        spareNow: 30,
      }),
      expect: { drain: [], terminate: [] },
    },
    {
      name: "tasks waiting for capacity: no scale-in even with spare history",
      input: input({
        instances: [inst("a", "ACTIVE", 0), inst("b", "ACTIVE", 1)],
        spareHistory: TEN_MINUTES_SPARE(30),
        spareNow: 30,
        shortfallVcpus: 4,
      }),
      expect: { drain: [], terminate: [] },
    },
    {
      name: "scale-in removes only the spare above the threshold and never goes below the minimum",
      input: input({
        fleet: { targetCapacity: 32, fulfilledCapacity: 32, onDemandTargetCapacity: 0, onDemandFulfilledCapacity: 0 },
        instances: [inst("a", "ACTIVE", 0), inst("b", "ACTIVE", 0)],
        spareHistory: TEN_MINUTES_SPARE(60),
        spareNow: 60,
      }),
      expect: { targetCapacity: 16, drain: ["ci/a"], terminate: [] },
    },
    {
      name: "an instance heavier than the spare above the threshold is kept",
      input: input({
        instances: [inst("a", "ACTIVE", 0, 32), inst("b", "ACTIVE", 1, 32)],
        spareHistory: TEN_MINUTES_SPARE(30),
        spareNow: 30,
      }),
      expect: { drain: [], terminate: [] },
    },
    {
      name: "Spot short: the on-demand target becomes the deficit and the total grows by it",
      input: input({
        fleet: { targetCapacity: 64, fulfilledCapacity: 32, onDemandTargetCapacity: 0, onDemandFulfilledCapacity: 0 },
        instances: [inst("a", "ACTIVE", 2), inst("b", "ACTIVE", 2)],
        spotShort: true,
      }),
      expect: { targetCapacity: 96, onDemandTargetCapacity: 32, drain: [], terminate: [] },
    },
    {
      name: "Spot still short after the fallback: the targets stay as they are",
      input: input({
        fleet: { targetCapacity: 96, fulfilledCapacity: 64, onDemandTargetCapacity: 32, onDemandFulfilledCapacity: 32 },
        instances: [
          inst("a", "ACTIVE", 2),
          inst("b", "ACTIVE", 2),
          inst("o1", "ACTIVE", 1, 16, "on-demand"),
          inst("o2", "ACTIVE", 1, 16, "on-demand"),
        ],
        spotShort: true,
      }),
      expect: { drain: [], terminate: [] },
    },
    {
      name: "Spot back: the on-demand target drops to the base, the total drops with it, and the empty on-demand instances drain first",
      input: input({
        fleet: { targetCapacity: 96, fulfilledCapacity: 96, onDemandTargetCapacity: 32, onDemandFulfilledCapacity: 32 },
        instances: [
          inst("a", "ACTIVE", 0),
          inst("b", "ACTIVE", 2),
          inst("c", "ACTIVE", 2),
          inst("d", "ACTIVE", 2),
          inst("o1", "ACTIVE", 0, 16, "on-demand"),
          inst("o2", "ACTIVE", 0, 16, "on-demand"),
        ],
      }),
      expect: { targetCapacity: 64, onDemandTargetCapacity: 0, drain: ["ci/o1", "ci/o2"], terminate: [] },
    },
    {
      name: "fallback never exceeds the on-demand maximum",
      input: input({
        fleet: { targetCapacity: 160, fulfilledCapacity: 0, onDemandTargetCapacity: 0, onDemandFulfilledCapacity: 0 },
        instances: [],
        spotShort: true,
      }),
      expect: { targetCapacity: 224, onDemandTargetCapacity: 64, drain: [], terminate: [] },
    },
    {
      name: "Spot short at the maximum: the on-demand share replaces Spot instead of adding to it",
      input: input({
        fleet: { targetCapacity: 64, fulfilledCapacity: 32, onDemandTargetCapacity: 0, onDemandFulfilledCapacity: 0 },
        instances: [inst("a", "ACTIVE", 2), inst("b", "ACTIVE", 2)],
        spotShort: true,
        settings: { ...SETTINGS, maxCapacity: 64 },
      }),
      expect: { onDemandTargetCapacity: 32, drain: [], terminate: [] },
    },
    {
      name: "excess above the target counts what is already draining: a rebalance replacement drains nothing more",
      input: input({
        fleet: { targetCapacity: 64, fulfilledCapacity: 80, onDemandTargetCapacity: 0, onDemandFulfilledCapacity: 0 },
        instances: [
          inst("a", "ACTIVE", 0),
          inst("b", "ACTIVE", 2),
          inst("c", "ACTIVE", 2),
          inst("d", "ACTIVE", 2),
          inst("r", "DRAINING", 1),
        ],
      }),
      expect: { drain: [], terminate: [] },
    },
    {
      name: "unregistered (booting) instances are never drained or terminated",
      input: input({
        fleet: { targetCapacity: 16, fulfilledCapacity: 48, onDemandTargetCapacity: 0, onDemandFulfilledCapacity: 0 },
        instances: [{ instanceId: "i-new", status: "UNREGISTERED", weight: 16, lifecycle: "spot", workerTasks: 0 }, inst("b", "ACTIVE", 1)],
      }),
      expect: { drain: [], terminate: [] },
    },
    {
      name: "at most maxDrainsPerRun instances drain in one run",
      input: input({
        fleet: { targetCapacity: 160, fulfilledCapacity: 160, onDemandTargetCapacity: 0, onDemandFulfilledCapacity: 0 },
        instances: Array.from({ length: 10 }, (_, i) => inst(`e${i}`, "ACTIVE", 0)),
        spareHistory: TEN_MINUTES_SPARE(160),
        spareNow: 160,
      }),
      expect: { targetCapacity: 96, drain: ["ci/e0", "ci/e1", "ci/e2", "ci/e3"], terminate: [] },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const d = decide(c.input);
      assert.deepEqual(
        { targetCapacity: d.targetCapacity, onDemandTargetCapacity: d.onDemandTargetCapacity, drain: d.drain, terminate: d.terminate },
        {
          targetCapacity: c.expect.targetCapacity,
          onDemandTargetCapacity: c.expect.onDemandTargetCapacity,
          drain: c.expect.drain,
          terminate: c.expect.terminate,
        },
      );
      assert.ok(d.reasons.length > 0 || (d.drain.length === 0 && d.terminate.length === 0 && d.targetCapacity === undefined));
    });
  }

  it("never drains or terminates an instance that runs a worker task, whatever the state", () => {
    const busy = [inst("a", "ACTIVE", 1), inst("b", "DRAINING", 3)];
    for (const spotShort of [false, true]) {
      for (const fulfilled of [0, 32, 96]) {
        const d = decide(
          input({
            fleet: { targetCapacity: 16, fulfilledCapacity: fulfilled, onDemandTargetCapacity: 0, onDemandFulfilledCapacity: 0 },
            instances: busy,
            spotShort,
            spareHistory: TEN_MINUTES_SPARE(100),
            spareNow: 100,
          }),
        );
        assert.deepEqual([d.drain, d.terminate], [[], []]);
      }
    }
  });
});

describe("capacity controller settings from the environment", () => {
  const env = (settings: unknown) => ({
    [CONTROLLER_ENV.clusterName]: "jw",
    [CONTROLLER_ENV.fleetRequestId]: "sfr-1",
    [CONTROLLER_ENV.spotShortAlarmName]: "jw-spot-short",
    [CONTROLLER_ENV.capacityNamespace]: "Jobworker/Capacity",
    [CONTROLLER_ENV.settings]: typeof settings === "string" ? settings : JSON.stringify(settings),
  });
  const good = { ...SETTINGS, weights: { "c6i.4xlarge": 16 } };

  it("reads every setting", () => {
    assert.deepEqual(optionsFromEnv(env(good)), {
      ...good,
      clusterName: "jw",
      fleetRequestId: "sfr-1",
      spotShortAlarmName: "jw-spot-short",
      capacityNamespace: "Jobworker/Capacity",
    });
  });

  const bad: [string, unknown, RegExp][] = [
    ["settings that are not JSON", "{", /JOBWORKER_CAPACITY_SETTINGS is not JSON/],
    ["a missing number", { ...good, minCapacity: undefined }, /JOBWORKER_CAPACITY_SETTINGS\.minCapacity is undefined/],
    ["a negative threshold", { ...good, spareThresholdVcpus: -1 }, /spareThresholdVcpus is -1; it must be a number ≥ 0/],
    ["a zero weight", { ...good, weights: { "c6i.4xlarge": 0 } }, /weights must map instance types to positive weights/],
  ];
  for (const [what, settings, message] of bad) {
    it(`rejects ${what} with a ConfigError naming the variable`, () => {
      assert.throws(
        () => optionsFromEnv(env(settings)),
        (err: unknown) => err instanceof ConfigError && message.test(err.message),
      );
    });
  }
});
