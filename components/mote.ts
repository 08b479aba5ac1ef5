/**
 * The authoring API: interfaces, modules and configurations, nesC-style.
 *
 * Everything here is plain data plus types. The build (tools/build) runs the
 * configurations to elaborate the wiring graph and then strips the
 * descriptors out of the image, so none of this code runs on a mote: only
 * the module implementations (the last argument of `module`) do.
 */

// ---------------------------------------------------------------------------
// Signatures and interfaces

/** Any function type, for constraints. */
export type AnyFunction = (...args: never[]) => unknown;

/** Combines the results of a fan-out call (nesC's combine function). */
export type Combine<R> = (a: R, b: R) => R;

declare const signatureType: unique symbol;
declare const interfaceShape: unique symbol;
declare const endpointType: unique symbol;

/** How a fan-out combines results: a function, nothing for `void`, or "uncombined" (warned about). */
export type CombineMarker = 0 | "uncombined" | Combine<never>;

/**
 * A command or event in an interface definition. At run time it is its
 * combine marker; the function type lives only in the type.
 */
export type Signature<F extends AnyFunction> = CombineMarker & {
  readonly [signatureType]?: F;
};

/**
 * A function that returns a value must say how fan-out combines its
 * results: a combine function, or "uncombined" (the build then warns about
 * fan-out, as nesC does). A `void` function takes nothing.
 */
export type CombineArgument<F extends AnyFunction> = [ReturnType<F>] extends [void]
  ? []
  : [combine: Combine<ReturnType<F>> | "uncombined"];

/** A command of an interface: the user calls it, the provider implements it. */
export function command<F extends AnyFunction>(...combine: CombineArgument<F>): Signature<F> {
  return (combine[0] ?? 0) as Signature<F>;
}

/** An event of an interface: the provider signals it, the user handles it. */
export function event<F extends AnyFunction>(...combine: CombineArgument<F>): Signature<F> {
  return (combine[0] ?? 0) as Signature<F>;
}

type SignatureMap = Record<string, Signature<AnyFunction>>;
type FunctionsOf<M> = { [K in keyof M]: M[K] extends Signature<infer F> ? F : never };

/**
 * A bidirectional contract. `C` and `E` are the command and event function
 * maps; the phantom `interfaceShape` member makes interfaces invariant in
 * them, so `Read<number>` and `Read<string>` do not wire together, and the
 * name literal keeps two interfaces of the same shape apart.
 */
export interface Interface<N extends string = string, C = object, E = object> {
  readonly kind: "interface";
  readonly name: N;
  /** Command name to its combine marker. */
  readonly commands: Readonly<Record<string, CombineMarker>>;
  /** Event name to its combine marker. */
  readonly events: Readonly<Record<string, CombineMarker>>;
  readonly [interfaceShape]?: (name: N, commands: C, events: E) => [N, C, E];
}

/** Any interface, for constraints: the phantom's `never` parameters let every interface fit. */
export interface AnyInterface {
  readonly kind: "interface";
  readonly name: string;
  readonly commands: Readonly<Record<string, CombineMarker>>;
  readonly events: Readonly<Record<string, CombineMarker>>;
  readonly [interfaceShape]?: (name: never, commands: never, events: never) => unknown;
}

/**
 * Defines an interface once, for the type checker and the build alike:
 *
 * ```ts
 * export const Timer = defineInterface("Timer", {
 *   commands: { startPeriodic: command<(dt: number) => void>() },
 *   events: { fired: event<() => void>() },
 * });
 * ```
 * A generic interface is a function of its type parameters:
 * `export const Read = <T>() => defineInterface("Read", {...})`.
 */
export function defineInterface<
  N extends string,
  C extends SignatureMap = Record<never, never>,
  E extends SignatureMap = Record<never, never>,
>(name: N, definition: { commands?: C; events?: E }): Interface<N, FunctionsOf<C>, FunctionsOf<E>> {
  return {
    kind: "interface",
    name,
    commands: (definition.commands ?? {}) as Record<string, CombineMarker>,
    events: (definition.events ?? {}) as Record<string, CombineMarker>,
  };
}

/** A parameterized interface: one provider, many clients, numbered 0..count-1. */
export interface Parameterized<I extends AnyInterface = AnyInterface> {
  readonly kind: "parameterized";
  readonly iface: I;
  /** How many indexes a module serves; a configuration may leave it to the module it equates to. */
  readonly count: number | undefined;
}

/**
 * `Timer[count]` in nesC terms: clients are numbered with `unique`. Modules
 * give the count (usually a generic argument from `uniqueCount`);
 * configurations may leave it out.
 */
export function parameterized<I extends AnyInterface>(iface: I, count?: number): Parameterized<I> {
  return { kind: "parameterized", iface, count };
}

// ---------------------------------------------------------------------------
// Type plumbing from interfaces to implementations

type ShapeOf<I> = I extends { readonly [interfaceShape]?: infer F } ? NonNullable<F> : never;
type CommandsOf<I> = ShapeOf<I> extends (name: never, commands: infer C, events: never) => unknown ? C : never;
type EventsOf<I> = ShapeOf<I> extends (name: never, commands: never, events: infer E) => unknown ? E : never;
type InterfaceOf<S> = S extends Parameterized<infer I> ? I : S;

/** The same functions, with the parameterized interface's index first. */
type Indexed<M> = {
  readonly [K in keyof M]: M[K] extends (...args: infer A) => infer R ? (index: number, ...args: A) => R : never;
};

/** Functions going out through an interface slot (what this side calls). */
type Outgoing<S, Side extends "uses" | "provides"> = Side extends "uses"
  ? S extends Parameterized<infer I> ? Indexed<CommandsOf<I>> : Readonly<CommandsOf<S>>
  : S extends Parameterized<infer I> ? Indexed<EventsOf<I>> : Readonly<EventsOf<S>>;

/** Functions coming in through an interface slot (what this side implements). */
type Incoming<S, Side extends "uses" | "provides"> = Side extends "uses"
  ? S extends Parameterized<infer I> ? Indexed<EventsOf<I>> : EventsOf<S>
  : S extends Parameterized<infer I> ? Indexed<CommandsOf<I>> : CommandsOf<S>;

type Slot = AnyInterface | Parameterized<AnyInterface>;
type SlotMap = Readonly<Record<string, Slot>>;

export interface ModuleSpec {
  readonly provides?: SlotMap;
  readonly uses?: SlotMap;
  /** Task names; each may be posted with `c.post.name()`. */
  readonly tasks?: readonly string[];
  /**
   * Interfaces for which the module gives default handlers in `defaults`:
   * the commands of a used interface, or the events of a provided one, used
   * when nothing is wired to it.
   */
  readonly defaults?: readonly string[];
}

type ProvidesOf<S> = S extends { readonly provides: infer P } ? P : Record<never, never>;
type UsesOf<S> = S extends { readonly uses: infer U } ? U : Record<never, never>;
type TasksOf<S> = S extends { readonly tasks: readonly (infer T extends string)[] } ? T : never;
type DefaultsOf<S> = S extends { readonly defaults: readonly (infer D extends string)[] } ? D : never;
type IsEmpty<M> = [keyof M] extends [never] ? true : false;

/**
 * What a module's implementation sees: each used interface's commands, each
 * provided interface's events (signal them), and `post` for its tasks.
 */
export type ModuleContext<S extends ModuleSpec> = {
  readonly [K in keyof UsesOf<S>]: Outgoing<UsesOf<S>[K], "uses">;
} & {
  readonly [K in keyof ProvidesOf<S>]: Outgoing<ProvidesOf<S>[K], "provides">;
} & {
  readonly post: { readonly [T in TasksOf<S>]: () => boolean };
};

type RequiredKeys<M, Side extends "uses" | "provides"> = {
  [K in keyof M]: IsEmpty<Incoming<M[K], Side>> extends true ? never : K;
}[keyof M];

type DefaultsImpl<S extends ModuleSpec> = {
  [K in DefaultsOf<S>]: K extends keyof UsesOf<S>
    ? Outgoing<UsesOf<S>[K], "uses">
    : K extends keyof ProvidesOf<S>
      ? Outgoing<ProvidesOf<S>[K], "provides">
      : never;
};

/**
 * What a module's implementation returns: the commands of every provided
 * interface, the events of every used one, its task bodies and defaults.
 * Leaving one out is a type error, as in nesC.
 */
export type ModuleImplementation<S extends ModuleSpec> = {
  [K in RequiredKeys<ProvidesOf<S>, "provides">]: Incoming<ProvidesOf<S>[K], "provides">;
} & {
  [K in RequiredKeys<UsesOf<S>, "uses">]: Incoming<UsesOf<S>[K], "uses">;
} & ([TasksOf<S>] extends [never] ? { tasks?: never } : { tasks: { [T in TasksOf<S>]: () => void } }) &
  ([DefaultsOf<S>] extends [never] ? { defaults?: never } : { defaults: DefaultsImpl<S> });

/**
 * `R`, checked for keys `Shape` lacks, one level down too: a handler for an
 * undeclared interface, a misspelled event or command, a stray task or
 * default. TypeScript does not excess-check the object literal a callback
 * returns, so `module` infers the implementation's type and checks it here.
 */
export type NoExcess<R, Shape> = {
  [K in keyof R]: K extends keyof Shape
    ? R[K] extends AnyFunction
      ? R[K]
      : { [P in keyof R[K]]: P extends keyof Shape[K] ? R[K][P] : never }
    : never;
};

/**
 * Whatever the platform hands the image when it starts a mote (the
 * simulator's HAL object, a host process's devices); platform modules cast
 * it to their own HAL type, other modules ignore it.
 */
export type PlatformHost = unknown;

/** A value a generic component can be instantiated with: it is written into the image. */
export type GenericArgument = number | string | boolean;

/** Where a component was defined, captured for error messages. */
export interface DefinedAt {
  readonly stack: Error;
}

export interface ModuleComponent<S extends ModuleSpec = ModuleSpec> {
  readonly kind: "module";
  readonly generic: false;
  readonly name: string;
  readonly spec: S;
  readonly implementation: (c: ModuleContext<S>, host: PlatformHost) => ModuleImplementation<S>;
  readonly definedAt: DefinedAt;
}

export interface GenericModuleComponent<A extends GenericArgument[] = GenericArgument[], S extends ModuleSpec = ModuleSpec> {
  readonly kind: "module";
  readonly generic: true;
  readonly name: string;
  readonly spec: (...args: A) => S;
  readonly implementation: (c: ModuleContext<S>, host: PlatformHost, ...args: A) => ModuleImplementation<S>;
  readonly definedAt: DefinedAt;
}

/**
 * A module: state plus the commands it provides and the events it handles.
 *
 * ```ts
 * export const BlinkC = module("BlinkC", { uses: { Boot, Leds } }, (c) => ({
 *   Boot: { booted() { c.Leds.led0On(); } },
 * }));
 * ```
 */
export function module<const S extends ModuleSpec, R extends ModuleImplementation<S>>(
  name: string,
  spec: S,
  implementation: (c: ModuleContext<S>, host: PlatformHost) => R & NoExcess<R, ModuleImplementation<S>>,
): ModuleComponent<S> {
  return { kind: "module", generic: false, name, spec, implementation, definedAt: { stack: new Error(name) } };
}

/** A generic module, instantiated per use with `c.new(X, ...args)`. */
export function genericModule<A extends GenericArgument[], const S extends ModuleSpec, R extends ModuleImplementation<S>>(
  name: string,
  spec: (...args: A) => S,
  implementation: (c: ModuleContext<S>, host: PlatformHost, ...args: A) => R & NoExcess<R, ModuleImplementation<S>>,
): GenericModuleComponent<A, S> {
  return { kind: "module", generic: true, name, spec, implementation, definedAt: { stack: new Error(name) } };
}

// ---------------------------------------------------------------------------
// Configurations

export interface ConfigurationSpec {
  readonly provides?: SlotMap;
  readonly uses?: SlotMap;
}

/** One side of a wire: a provided or used interface of a component instance. */
export interface Endpoint<I, Role extends "provider" | "user", Whole extends boolean = false> {
  readonly kind: "endpoint";
  readonly role: Role;
  /** Whether this is a whole parameterized interface (not one index of it). */
  readonly whole: Whole;
  readonly [endpointType]?: (i: I) => I;
}

/** A parameterized interface as a whole; `.at(i)` picks one client index. */
export interface ParameterizedEndpoint<I, Role extends "provider" | "user"> extends Endpoint<I, Role, true> {
  at(index: number): Endpoint<I, Role>;
}

type EndpointFor<S, Role extends "provider" | "user"> =
  S extends Parameterized<infer I> ? ParameterizedEndpoint<I, Role> : Endpoint<InterfaceOf<S>, Role>;

/** The interfaces of a component instance, as seen by the configuration wiring it. */
export type Endpoints<S extends ConfigurationSpec | ModuleSpec> = {
  readonly [K in keyof ProvidesOf<S>]: EndpointFor<ProvidesOf<S>[K], "provider">;
} & {
  readonly [K in keyof UsesOf<S>]: EndpointFor<UsesOf<S>[K], "user">;
};

/** A configuration's own interfaces, which it equates (`=`) to inner ones. */
export interface OwnEndpoints<S extends ConfigurationSpec> {
  readonly provides: { readonly [K in keyof ProvidesOf<S>]: Own<EndpointFor<ProvidesOf<S>[K], "provider">> };
  readonly uses: { readonly [K in keyof UsesOf<S>]: Own<EndpointFor<UsesOf<S>[K], "user">> };
}

declare const ownMark: unique symbol;
/** An endpoint of the configuration being defined (the outer side of `=`). */
export type Own<E> = E & { readonly [ownMark]: true };

/** What `component` accepts: any non-generic module or configuration. */
interface SingletonComponent<S> {
  readonly kind: "module" | "configuration";
  readonly generic: false;
  readonly name: string;
  readonly spec: S;
}

/** What `new` accepts: any generic module or configuration. */
interface GenericComponent<A extends GenericArgument[], S> {
  readonly kind: "module" | "configuration";
  readonly generic: true;
  readonly name: string;
  readonly spec: (...args: A) => S;
}

/** What a configuration's body gets: nesC's `components`, `new`, `->`, `=`, `unique`. */
export interface ConfigurationContext<S extends ConfigurationSpec> extends OwnEndpoints<S> {
  /** A singleton component (nesC `components X`); the same instance everywhere. */
  component<S extends ModuleSpec | ConfigurationSpec>(component: SingletonComponent<S>): Endpoints<S>;
  /** A new instance of a generic component (nesC `components new X(args)`). */
  readonly new: <A extends GenericArgument[], S extends ModuleSpec | ConfigurationSpec>(
    component: GenericComponent<A, S>,
    ...args: A
  ) => Endpoints<S>;
  /** `user -> provider`: the user's commands reach the provider, its events come back. */
  wire<I>(user: Endpoint<I, "user">, provider: Endpoint<I, "provider">): void;
  wire<I>(user: ParameterizedEndpoint<I, "user">, provider: ParameterizedEndpoint<I, "provider">): void;
  /** `outer = inner`: this configuration's own interface is the inner one. */
  equate<I, R extends "provider" | "user">(outer: Own<Endpoint<I, R>>, inner: Endpoint<I, NoInfer<R>>): void;
  equate<I, R extends "provider" | "user">(
    outer: Own<ParameterizedEndpoint<I, R>>,
    inner: ParameterizedEndpoint<I, NoInfer<R>>,
  ): void;
  /** A number unique to this call among all calls with the same key, from 0 up. */
  unique(key: string): number;
  /** How many `unique(key)` numbers the whole application hands out. */
  uniqueCount(key: string): number;
}

export interface ConfigurationComponent<S extends ConfigurationSpec = ConfigurationSpec> {
  readonly kind: "configuration";
  readonly generic: false;
  readonly name: string;
  readonly spec: S;
  readonly body: (c: ConfigurationContext<S>) => void;
  readonly definedAt: DefinedAt;
}

export interface GenericConfigurationComponent<
  A extends GenericArgument[] = GenericArgument[],
  S extends ConfigurationSpec = ConfigurationSpec,
> {
  readonly kind: "configuration";
  readonly generic: true;
  readonly name: string;
  readonly spec: (...args: A) => S;
  readonly body: (c: ConfigurationContext<S>, ...args: A) => void;
  readonly definedAt: DefinedAt;
}

/** A configuration: the components it uses and how they are wired. */
export function configuration<const S extends ConfigurationSpec>(
  name: string,
  spec: S,
  body: (c: ConfigurationContext<S>) => void,
): ConfigurationComponent<S> {
  return { kind: "configuration", generic: false, name, spec, body, definedAt: { stack: new Error(name) } };
}

/** A generic configuration, instantiated per use with `c.new(X, ...args)`. */
export function genericConfiguration<A extends GenericArgument[], const S extends ConfigurationSpec>(
  name: string,
  spec: (...args: A) => S,
  body: (c: ConfigurationContext<S>, ...args: A) => void,
): GenericConfigurationComponent<A, S> {
  return { kind: "configuration", generic: true, name, spec, body, definedAt: { stack: new Error(name) } };
}

/** Any component, for tools. */
export type AnyComponent =
  | ModuleComponent<ModuleSpec>
  | GenericModuleComponent<GenericArgument[], ModuleSpec>
  | ConfigurationComponent<ConfigurationSpec>
  | GenericConfigurationComponent<GenericArgument[], ConfigurationSpec>;
