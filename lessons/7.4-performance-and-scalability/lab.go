// Reconcile Lab — Lesson 7.4: Performance and Scalability.
//
// This is the operator the simulation runs. Edit the values below and press Ctrl/Cmd+Enter:
// the lab reads this Go code (it never runs it) and simulates controller-runtime, client-go
// and the API server with exactly these settings. Hover a value to see what it does and its
// real default for the chosen controller-runtime version.

package controllers

import (
	"context"
	"time"

	"golang.org/x/time/rate"
	appsv1 "k8s.io/api/apps/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/util/workqueue"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	databasev1 "example.com/database-operator/api/v1"
)

// replicas is how many copies of this operator the lab runs (the Deployment's replicas).
// With more than one, turn on LeaderElection in the manager options: only the leader
// reconciles, the others wait to take over.
const replicas = 1

// ExternalAPI is the outside service each reconcile calls (the scenario sets its latency and
// errors). The lab counts r.externalAPI.<Method>(…) as one external call.
type ExternalAPI interface {
	EnsureDatabase(ctx context.Context, db *databasev1.Database) error
}

// DatabaseReconciler reconciles Database objects.
type DatabaseReconciler struct {
	client.Client
	// APIReader reads straight from the API server, bypassing the informer cache.
	APIReader   client.Reader
	Scheme      *runtime.Scheme
	externalAPI ExternalAPI
	apiLimiter  *rate.Limiter // Rate limiter for external APIs
}

func NewDatabaseReconciler(mgr ctrl.Manager, api ExternalAPI) *DatabaseReconciler {
	return &DatabaseReconciler{
		Client:      mgr.GetClient(),
		APIReader:   mgr.GetAPIReader(),
		Scheme:      mgr.GetScheme(),
		externalAPI: api,
		// Try rate.Limit(50), or rate.Inf to remove the limit, and watch the external API.
		apiLimiter: rate.NewLimiter(rate.Limit(10), 1), // 10 requests/second
	}
}

// NewManager builds the manager. The client's QPS/Burst throttle every request this
// operator sends to the API server (controller-runtime v0.21+ leaves them off by default).
func NewManager() (ctrl.Manager, error) {
	cfg := ctrl.GetConfigOrDie()
	cfg.QPS = 20   // try 5 (client-go's own default) to see client-side throttling
	cfg.Burst = 30

	syncPeriod := 10 * time.Hour
	return ctrl.NewManager(cfg, ctrl.Options{
		LeaderElection:   false,
		LeaderElectionID: "database-operator.example.com",
		Cache:            cache.Options{SyncPeriod: &syncPeriod},
		Metrics:          metricsserver.Options{BindAddress: ":8080"},
	})
}

// SetupIndexes registers the field index that client.MatchingFields uses below.
func SetupIndexes(ctx context.Context, mgr ctrl.Manager) error {
	return mgr.GetFieldIndexer().IndexField(ctx, &databasev1.Database{},
		"spec.environment", func(obj client.Object) []string {
			db := obj.(*databasev1.Database)
			return []string{db.Spec.Environment}
		})
}

func (r *DatabaseReconciler) SetupWithManager(mgr ctrl.Manager) error {
	return ctrl.NewControllerManagedBy(mgr).
		For(&databasev1.Database{}).
		Owns(&appsv1.StatefulSet{}).
		WithOptions(controller.Options{
			// MaxConcurrentReconciles limits parallel reconciliations.
			// Try raising it to 10, then 50: throughput grows until something else throttles.
			MaxConcurrentReconciles: 2,
			// RateLimiter controls how fast failed items are retried.
			RateLimiter: workqueue.NewTypedItemExponentialFailureRateLimiter[reconcile.Request](
				5*time.Millisecond, // Base delay
				1000*time.Second,   // Max delay
			),
		}).
		Complete(r)
}

func (r *DatabaseReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	// Reads from the informer cache, not from the API server.
	db := &databasev1.Database{}
	if err := r.Get(ctx, req.NamespacedName, db); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}

	// The StatefulSet this Database owns, also from the cache; created on the first reconcile.
	// Try r.APIReader.Get instead: every reconcile then costs an API request.
	sts := &appsv1.StatefulSet{}
	if err := r.Get(ctx, req.NamespacedName, sts); apierrors.IsNotFound(err) {
		sts = &appsv1.StatefulSet{ObjectMeta: metav1.ObjectMeta{Name: db.Name, Namespace: db.Namespace}}
		if err := r.Create(ctx, sts); err != nil {
			return ctrl.Result{}, err
		}
	} else if err != nil {
		return ctrl.Result{}, err
	}

	// Other Databases of the same environment, through the field index.
	peers := &databasev1.DatabaseList{}
	if err := r.List(ctx, peers, client.InNamespace(req.Namespace),
		client.MatchingFields{"spec.environment": db.Spec.Environment}); err != nil {
		return ctrl.Result{}, err
	}

	// Wait for the rate limiter before the external API call.
	if err := r.apiLimiter.Wait(ctx); err != nil {
		return ctrl.Result{}, err
	}
	if err := r.externalAPI.EnsureDatabase(ctx, db); err != nil {
		return ctrl.Result{}, err
	}

	db.Status.Phase = "Ready"
	if err := r.Status().Update(ctx, db); err != nil {
		return ctrl.Result{}, err
	}

	// Check again later. Try 30*time.Second, or remove RequeueAfter.
	return ctrl.Result{RequeueAfter: 5 * time.Minute}, nil
}
