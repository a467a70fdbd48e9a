package sandbox

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
)

// profile10 is DqoUserProfileModel as DQOps 1.0 sends it. Field names and
// types are the swagger document's; trial_period_expires_at is left out, as
// a server sends it only for a PERSONAL trial licence.
type profile10 struct {
	User                              string `json:"user"`
	Tenant                            string `json:"tenant"`
	LicenseType                       string `json:"license_type"`
	ConnectionsLimit                  int32  `json:"connections_limit"`
	UsersLimit                        int32  `json:"users_limit"`
	MonthsLimit                       int32  `json:"months_limit"`
	ConnectionTablesLimit             int32  `json:"connection_tables_limit"`
	TablesLimit                       int32  `json:"tables_limit"`
	JobsLimit                         int32  `json:"jobs_limit"`
	AccountRole                       string `json:"account_role"`
	CanManageAccount                  bool   `json:"can_manage_account"`
	CanViewAnyObject                  bool   `json:"can_view_any_object"`
	CanManageScheduler                bool   `json:"can_manage_scheduler"`
	CanCancelJobs                     bool   `json:"can_cancel_jobs"`
	CanRunChecks                      bool   `json:"can_run_checks"`
	CanDeleteData                     bool   `json:"can_delete_data"`
	CanCollectStatistics              bool   `json:"can_collect_statistics"`
	CanManageDataSources              bool   `json:"can_manage_data_sources"`
	CanSynchronize                    bool   `json:"can_synchronize"`
	CanEditComments                   bool   `json:"can_edit_comments"`
	CanEditLabels                     bool   `json:"can_edit_labels"`
	CanManageDefinitions              bool   `json:"can_manage_definitions"`
	CanCompareTables                  bool   `json:"can_compare_tables"`
	CanManageUsers                    bool   `json:"can_manage_users"`
	CanManageAndViewSharedCredentials bool   `json:"can_manage_and_view_shared_credentials"`
}

// profile113 is DqoUserProfileModel as DQOps 1.13 sends it: 1.0's fields
// and the ones 1.13 added.
type profile113 struct {
	profile10
	DataDomainsLimit                int32 `json:"data_domains_limit"`
	DataQualityDataWarehouseEnabled bool  `json:"data_quality_data_warehouse_enabled"`
	CanChangeOwnPassword            bool  `json:"can_change_own_password"`
	CanUseDataDomains               bool  `json:"can_use_data_domains"`
	CanSynchronizeToDataCatalog     bool  `json:"can_synchronize_to_data_catalog"`
	CanUseAIAnomalyDetection        bool  `json:"can_use_ai_anomaly_detection"`
	CanLogout                       bool  `json:"can_logout"`
}

// profile returns the caller's profile in the form of the imitated release.
// The can_* flags follow DQOps's DqoUserProfileModel.fromApiKeyAndPrincipal:
// VIEW for viewing, OPERATE (operator and up) for running and editing
// comments and labels, EDIT (editor and up) for data sources, definitions,
// the scheduler and shared credentials, MANAGE_ACCOUNT (admin) for account
// and users. Without a licence for user management nobody manages users.
func (s *Server) profile(caller principal) any {
	rank := roleRank(caller.role)
	view := rank >= roleRank(RoleViewer)
	operate := rank >= roleRank(RoleOperator)
	edit := rank >= roleRank(RoleEditor)
	admin := rank >= roleRank(RoleAdmin)
	licensed := !s.unlicensed

	p := profile10{
		User:                              caller.email,
		Tenant:                            Tenant,
		AccountRole:                       caller.role,
		CanManageAccount:                  admin && licensed,
		CanViewAnyObject:                  view,
		CanManageScheduler:                edit,
		CanCancelJobs:                     operate,
		CanRunChecks:                      operate,
		CanDeleteData:                     operate,
		CanCollectStatistics:              operate,
		CanManageDataSources:              edit,
		CanSynchronize:                    operate && licensed,
		CanEditComments:                   operate,
		CanEditLabels:                     operate,
		CanManageDefinitions:              edit,
		CanCompareTables:                  operate,
		CanManageUsers:                    admin && licensed,
		CanManageAndViewSharedCredentials: edit,
	}
	// The limits are plausible for the licence, not DQOps's price list.
	if licensed {
		// Data domains are what an ENTERPRISE licence adds.
		p.LicenseType = "TEAM"
		if s.view.withDomains() {
			p.LicenseType = "ENTERPRISE"
		}
		p.UsersLimit = int32(min(s.usersLimit, math.MaxInt32))
		p.ConnectionsLimit = 100
		p.MonthsLimit = 60
		p.ConnectionTablesLimit = 1000
		p.TablesLimit = 10000
		p.JobsLimit = 8
	} else {
		p.LicenseType = "FREE"
		p.UsersLimit = 1
		p.ConnectionsLimit = 2
		p.MonthsLimit = 3
		p.ConnectionTablesLimit = 50
		p.TablesLimit = 50
		p.JobsLimit = 1
	}
	if s.api == API10 {
		return p
	}
	p113 := profile113{
		profile10:                       p,
		DataQualityDataWarehouseEnabled: licensed,
		// DQOps sets it only when paired with DQOps Cloud, and an unlicensed
		// sandbox answers mypassword with 403.
		CanChangeOwnPassword: licensed,
		// DQOps sets it exactly when the licence is ENTERPRISE and data
		// domains are in use; New refuses domains without a licence.
		CanUseDataDomains:           s.view.withDomains(),
		CanSynchronizeToDataCatalog: edit && licensed,
		CanUseAIAnomalyDetection:    licensed,
		// Users log in through DQOps Cloud unless the instance does not
		// authenticate at all.
		CanLogout: !s.noAuth,
	}
	if licensed {
		p113.DataDomainsLimit = 10
	}
	return p113
}

func (s *Server) serveProfile(w http.ResponseWriter, caller principal) {
	if s.unlicensed && s.api == API10 {
		// 1.0 has no profile for an instance not paired with DQOps Cloud.
		w.WriteHeader(http.StatusNotFound)
		return
	}
	data, err := json.Marshal(s.profile(caller))
	if err != nil {
		panic(fmt.Sprintf("sandbox: encoding a profile: %v", err)) // plain structs always encode
	}
	writeJSON(w, http.StatusOK, data)
}
